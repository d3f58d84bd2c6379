//! Polyak averaging of parameters.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::Tensor;

/// `target <- tau * online + (1 - tau) * target`, parameter by parameter, for two modules of
/// the same structure. The result holds plain (non-autodiff) tensors on `target`'s device and
/// records no autodiff graph, however often it is applied.
///
/// Returns `None` when the two modules do not have the same parameters.
pub fn polyak_update<M: Module>(online: &M, target: M, tau: f32) -> Option<M> {
    let mut collect = Collect(Vec::new());
    online.visit(&mut collect);
    let mut blend = Blend {
        online: collect.0.into_iter(),
        tau,
        mismatch: false,
    };
    let target = target.map(&mut blend);
    (!blend.mismatch && blend.online.next().is_none()).then_some(target)
}

/// The online parameters, flattened and detached, in visiting order.
struct Collect(Vec<Tensor<1>>);

impl ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.0.push(param.val().inner().flatten::<1>(0, D - 1));
    }
}

struct Blend {
    online: std::vec::IntoIter<Tensor<1>>,
    tau: f32,
    mismatch: bool,
}

impl ModuleMapper for Blend {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let Some(online) = self.online.next() else {
            self.mismatch = true;
            return param;
        };
        let tau = self.tau;
        let mut mismatch = false;
        let param = param.map(|target| {
            let target = target.inner();
            let dims = target.dims();
            if online.dims()[0] != dims.iter().product::<usize>() {
                mismatch = true;
                return target;
            }
            let online = online.to_device(&target.device()).reshape(dims);
            target.mul_scalar(1.0 - tau).add(online.mul_scalar(tau))
        });
        self.mismatch |= mismatch;
        param
    }
}
