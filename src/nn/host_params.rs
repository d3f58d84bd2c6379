//! Copies of a module's float parameters between its tensors and host vectors, in the
//! order the module visits them.

use burn::module::{ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::tensor::{Tensor, TensorData};

/// Reads every float parameter as `f32`, in visiting order.
#[derive(Default)]
pub(super) struct ReadParams {
    /// The parameters' ids, in visiting order.
    pub ids: Vec<ParamId>,
    /// Their values.
    pub params: Vec<Vec<f32>>,
    /// Whether there was at least one and every one read as `f32`.
    pub ok: bool,
}

impl ModuleVisitor for ReadParams {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if self.ids.is_empty() {
            self.ok = true;
        }
        match param.val().into_data().try_into_vec::<f32>() {
            Ok(values) => {
                self.ids.push(param.id);
                self.params.push(values);
            }
            Err(_) => self.ok = false,
        }
    }
}

/// Replaces every float parameter's values with the next of `params`, in visiting order.
pub(super) struct WriteParams<'a> {
    /// The values still to write.
    pub params: std::slice::Iter<'a, Vec<f32>>,
}

impl ModuleMapper for WriteParams<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let Some(values) = self.params.next() else {
            return param;
        };
        param.map(|tensor| {
            let (dims, device) = (tensor.dims(), tensor.device());
            let fresh = Tensor::from_data(TensorData::new(values.clone(), dims), &device);
            if tensor.is_require_grad() {
                fresh.require_grad()
            } else {
                fresh
            }
        })
    }
}
