//! Adam over parameters held on the host, step for step the arithmetic of Burn's `Adam`, and
//! its state in Burn's optimizer record (so that checkpoints read the same either way).

use std::collections::BTreeMap;

use burn::module::{Module, ParamId};
use burn::store::burn_pack::{DType, Reader, Scalar, Tensor as PackTensor, Writer};
use burn::tensor::{Bytes, TensorData};

use super::optimizer_record::parameter_paths;
use crate::nn::{AdamStep, adam};

/// Adam's moments and step count for each parameter, with its settings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HostAdam {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    /// Clamp every gradient component to `[-v, v]` before the step.
    clip_value: Option<f32>,
    /// Steps taken, per parameter (Burn keeps one count per parameter).
    time: Vec<usize>,
    moment_1: Vec<Vec<f32>>,
    moment_2: Vec<Vec<f32>>,
}

impl HostAdam {
    /// A fresh state (no step taken) for parameters of `sizes` values.
    pub fn new(
        [beta_1, beta_2, epsilon]: [f32; 3],
        clip_value: Option<f32>,
        sizes: &[usize],
    ) -> Self {
        Self {
            beta_1,
            beta_2,
            epsilon,
            clip_value,
            time: vec![0; sizes.len()],
            moment_1: sizes.iter().map(|&n| vec![0.0; n]).collect(),
            moment_2: sizes.iter().map(|&n| vec![0.0; n]).collect(),
        }
    }

    /// One step of every parameter against its gradient, at `learning_rate`, with Burn's
    /// operations in Burn's order (`AdaptiveMomentum::transform`, then `tensor - update * lr`):
    ///
    /// ```text
    /// m1 = m1 b1 + g (1 - b1);  m2 = m2 b2 + g^2 (1 - b2);  t += 1
    /// c2 = sqrt(1 - b2^t);      p -= (m1 c2 / (1 - b1^t)) / (sqrt(m2) + eps c2) * lr
    /// ```
    pub fn step(&mut self, params: &mut [Vec<f32>], grads: &[Vec<f32>], learning_rate: f64) {
        let (beta_1, beta_2) = (self.beta_1, self.beta_2);
        let clip = self.clip_value.unwrap_or(f32::INFINITY);
        for (i, (param, grad)) in params.iter_mut().zip(grads).enumerate() {
            self.time[i] += 1;
            let time = i32::try_from(self.time[i]).unwrap_or(i32::MAX);
            let correction_2 = (1.0 - beta_2.powi(time)).sqrt();
            let step = AdamStep {
                beta_1,
                beta_2,
                factor: correction_2 / (1.0 - beta_1.powi(time)),
                epsilon: self.epsilon * correction_2,
                learning_rate: learning_rate as f32,
                clip,
            };
            adam(
                param,
                grad,
                &mut self.moment_1[i],
                &mut self.moment_2[i],
                step,
            );
        }
    }

    /// The state as Burn's optimizer record (burnpack bytes, as `ModuleOptimizer::into_bytes`
    /// writes them) for `module`, whose float parameters are the ones stepped, with ids
    /// `ids` in the same order. Parameters not stepped yet have no entry, as in Burn.
    pub fn to_record<M: Module>(&self, module: &M, ids: &[ParamId]) -> Result<Vec<u8>, String> {
        let paths = parameter_paths(module);
        let mut tensors = Vec::new();
        let mut scalars: Vec<(String, Scalar)> = Vec::new();
        let mut metadata: Vec<(String, String)> = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            if self.time[i] == 0 {
                continue;
            }
            let id = id.val();
            let (path, rank) = paths
                .get(&id)
                .ok_or_else(|| format!("parameter {id} is not in the network"))?;
            let shape = parameter_shape(module, id).ok_or("a parameter without a shape")?;
            debug_assert_eq!(shape.len(), *rank);
            for (name, values) in [
                ("moment_1", &self.moment_1[i]),
                ("moment_2", &self.moment_2[i]),
            ] {
                let (bytes, _, _) = TensorData::new(values.clone(), shape.clone()).into_parts();
                tensors.push(PackTensor::new(
                    format!("{id}.momentum.{name}"),
                    DType::F32,
                    shape.clone(),
                    Some(id),
                    bytes,
                ));
            }
            scalars.push((format!("{id}.__rank"), Scalar::from(*rank)));
            scalars.push((format!("{id}.momentum.time"), Scalar::from(self.time[i])));
            metadata.push((id.to_string(), path.clone()));
        }
        let mut writer = Writer::new(tensors);
        for (key, value) in &scalars {
            writer = writer.with_scalar(key, *value);
        }
        for (key, value) in &metadata {
            writer = writer.with_metadata(key, value);
        }
        writer
            .into_bytes()
            .map(|bytes| bytes.to_vec())
            .map_err(|e| format!("cannot write the optimizer record: {e:?}"))
    }

    /// The state held in a Burn Adam record `bytes` (already checked against the network, see
    /// `restore_optimizer`) for parameters `ids` of `sizes` values; parameters it has nothing
    /// for start fresh.
    pub fn read_record(
        &mut self,
        bytes: &[u8],
        ids: &[ParamId],
        sizes: &[usize],
    ) -> Result<(), String> {
        let reader = Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
            .map_err(|e| format!("not a burnpack container: {e:?}"))?;
        let scalars = reader.scalars().clone();
        let mut tensors: BTreeMap<String, Vec<f32>> = BTreeMap::new();
        for tensor in reader
            .into_tensors()
            .map_err(|e| format!("corrupt burnpack tensor table: {e:?}"))?
        {
            let (name, dtype, shape, _, bytes) = tensor
                .into_parts()
                .map_err(|e| format!("unreadable optimizer tensor: {e:?}"))?;
            let values = TensorData::from_bytes(bytes, shape, dtype)
                .try_into_vec::<f32>()
                .map_err(|e| format!("optimizer tensor `{name}` is not f32: {e:?}"))?;
            tensors.insert(name, values);
        }
        let mut fresh = Self::new(
            [self.beta_1, self.beta_2, self.epsilon],
            self.clip_value,
            sizes,
        );
        for (i, (id, &size)) in ids.iter().zip(sizes).enumerate() {
            let id = id.val();
            let Some(time) = scalars.get(&format!("{id}.momentum.time")) else {
                continue;
            };
            let time = usize::try_from(*time)
                .map_err(|e| format!("step count of parameter {id}: {e:?}"))?;
            for (name, moment) in [
                ("moment_1", &mut fresh.moment_1[i]),
                ("moment_2", &mut fresh.moment_2[i]),
            ] {
                let values = tensors
                    .remove(&format!("{id}.momentum.{name}"))
                    .ok_or_else(|| {
                        format!("the optimizer state has no {name} for parameter {id}")
                    })?;
                if values.len() != size {
                    return Err(format!(
                        "{name} of parameter {id} holds {} values, the parameter {size}",
                        values.len()
                    ));
                }
                *moment = values;
            }
            fresh.time[i] = time;
        }
        *self = fresh;
        Ok(())
    }
}

/// The shape of the float parameter `id` of `module`.
fn parameter_shape<M: Module>(module: &M, id: u64) -> Option<Vec<usize>> {
    struct Find {
        id: u64,
        shape: Option<Vec<usize>>,
    }
    impl burn::module::ModuleVisitor for Find {
        fn visit_float<const D: usize>(
            &mut self,
            param: &burn::module::Param<burn::tensor::Tensor<D>>,
        ) {
            if param.id.val() == self.id {
                self.shape = Some(param.val().dims().to_vec());
            }
        }
    }
    let mut find = Find { id, shape: None };
    module.visit(&mut find);
    find.shape
}
