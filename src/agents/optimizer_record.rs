//! Checking a saved optimizer state (burnpack bytes from `ModuleOptimizer::into_bytes`) against
//! the network it is meant to optimize before handing it to Burn, which panics on some
//! malformed states and silently drops those of another network.

use std::collections::{BTreeMap, BTreeSet};

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::ModuleOptimizer;
use burn::store::burn_pack::{DType, Reader, Shape};
use burn::tensor::{Bytes, Tensor};

/// Key suffix under which `ModuleOptimizer::to_record` stores each parameter's rank
/// (burn-optim `module_optimizer.rs` `RANK_KEY`, private there).
const RANK_KEY: &str = "__rank";

/// A float parameter of the module: what the optimizer may keep state for.
#[derive(Debug, Clone, PartialEq)]
struct FloatParam {
    /// Module path, joined with '.', as the optimizer records it.
    path: String,
    /// Shape of the stored (base) tensor, which is the shape of its gradient and of every
    /// per-parameter optimizer state tensor.
    shape: Shape,
    dtype: DType,
    /// Whether the tensor tracks gradients (only meaningful on an autodiff module).
    trainable: bool,
}

/// Collects every float parameter by id. Mirrors burn-core's `Collector` / burn-optim's
/// `ModuleOptimizerMapper` path building (enter/exit_module push/pop the field name).
#[derive(Default)]
struct FloatParams {
    path: Vec<String>,
    params: BTreeMap<u64, FloatParam>,
    /// A ParamId met twice with a different shape/dtype (tied parameters that disagree).
    conflicts: Vec<u64>,
}

impl ModuleVisitor for FloatParams {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        // `base()` is the stored tensor without reparameterization: what `ModuleOptimizer`'s
        // mapper hands to the optimizer (`Param::consume`). It initializes a lazy parameter.
        let tensor = param.base();
        let entry = FloatParam {
            path: self.path.join("."),
            shape: tensor.shape(),
            dtype: tensor.dtype(),
            trainable: tensor.is_require_grad(),
        };
        let id = param.id.val();
        match self.params.get(&id) {
            Some(seen) if seen.shape != entry.shape || seen.dtype != entry.dtype => {
                self.conflicts.push(id)
            }
            Some(_) => {}
            None => {
                self.params.insert(id, entry);
            }
        }
    }
}

/// The module's float parameters, by `ParamId::val()`.
fn float_params<M: Module>(module: &M) -> FloatParams {
    let mut visitor = FloatParams::default();
    module.visit(&mut visitor);
    visitor
}

/// Every float parameter's module path and rank, by `ParamId::val()`: what an optimizer record
/// names its states after.
pub(crate) fn parameter_paths<M: Module>(module: &M) -> BTreeMap<u64, (String, usize)> {
    float_params(module)
        .params
        .into_iter()
        .map(|(id, p)| (id, (p.path, p.shape.rank())))
        .collect()
}

/// One state tensor of an optimizer record, as burnpack describes it (no data read).
#[derive(Debug, Clone)]
struct StateTensor {
    name: String,
    param_id: Option<u64>,
    dtype: DType,
    shape: Shape,
}

/// An optimizer record's table of contents.
#[derive(Debug, Clone, Default)]
struct RecordSummary {
    tensors: Vec<StateTensor>,
    scalars: BTreeMap<String, burn::store::burn_pack::Scalar>,
    /// `"{param_id}" -> module path` (burnpack user metadata).
    paths: BTreeMap<String, String>,
}

impl RecordSummary {
    /// Parses the burnpack container exactly as `OptimizerRecord::from_bytes` does, keeping only
    /// the descriptors (the tensor bytes are zero-copy views and are never read).
    fn parse(bytes: &[u8]) -> Result<Self, String> {
        let reader = Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
            .map_err(|e| format!("not a burnpack container: {e:?}"))?;
        let scalars = reader.scalars().clone();
        let paths = reader.metadata().clone();
        let tensors = reader
            .into_tensors()
            .map_err(|e| format!("corrupt burnpack tensor table: {e:?}"))?
            .into_iter()
            .map(|t| StateTensor {
                name: t.name,
                param_id: t.param_id,
                dtype: t.dtype,
                shape: t.shape,
            })
            .collect();
        Ok(Self {
            tensors,
            scalars,
            paths,
        })
    }

    /// Every key, namespaced by kind, for comparing two records' contents.
    fn keys(&self) -> BTreeSet<String> {
        let tensors = self.tensors.iter().map(|t| format!("tensor:{}", t.name));
        let scalars = self.scalars.keys().map(|k| format!("scalar:{k}"));
        let paths = self.paths.keys().map(|k| format!("path:{k}"));
        tensors.chain(scalars).chain(paths).collect()
    }
}

/// Splits `"{id}.{rest}"` into the id and the rest.
fn split_id(key: &str) -> Option<(u64, &str)> {
    let (id, rest) = key.split_once('.')?;
    // `u64::from_str` accepts a leading '+'; to_record never writes one.
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) || rest.is_empty() {
        return None;
    }
    Some((id.parse().ok()?, rest))
}

/// Rejects, without panicking, a record that burn-optim would panic on or would silently not
/// apply to `module`:
/// - not a burnpack container, or a corrupt one;
/// - a state tensor without a parameter id (burn-optim panics), or whose name is not
///   `"{param_id}.…"`;
/// - state (tensor, scalar or path) for a parameter id that is not a float parameter of `module`
///   (a record of another network, or of this one before its ids were replaced);
/// - a state tensor whose shape or dtype differs from its parameter's;
/// - a missing or wrong `"{id}.__rank"` scalar;
/// - a recorded path that is not the parameter's module path;
/// - with `require_all_trainable`, a trainable float parameter with no state (use it once the
///   optimizer has stepped at least once and every trainable parameter receives gradients).
///
/// An empty record (an optimizer that never stepped) passes unless `require_all_trainable`.
fn check_optimizer_record<M: Module>(
    bytes: &[u8],
    module: &M,
    require_all_trainable: bool,
) -> Result<(), String> {
    let record = RecordSummary::parse(bytes)?;
    let FloatParams {
        params, conflicts, ..
    } = float_params(module);
    if let Some(id) = conflicts.first() {
        return Err(format!(
            "the network holds parameter {id} twice with different shapes"
        ));
    }
    let param = |id: u64, what: &str| {
        params.get(&id).ok_or_else(|| {
            format!(
                "the optimizer state has {what} for parameter {id}, which the network does not have"
            )
        })
    };

    let mut with_state = BTreeSet::new();
    for t in &record.tensors {
        let id = t.param_id.ok_or_else(|| {
            format!(
                "optimizer state tensor `{}` carries no parameter id",
                t.name
            )
        })?;
        match split_id(&t.name) {
            Some((named, _)) if named == id => {}
            _ => {
                return Err(format!(
                    "optimizer state tensor `{}` is not named after its parameter {id}",
                    t.name
                ));
            }
        }
        let p = param(id, &format!("tensor `{}`", t.name))?;
        if t.shape != p.shape || t.dtype != p.dtype {
            return Err(format!(
                "optimizer state tensor `{}` is {:?} {:?}, but parameter `{}` is {:?} {:?}",
                t.name, t.dtype, t.shape, p.path, p.dtype, p.shape
            ));
        }
        with_state.insert(id);
    }

    let mut ranked = BTreeSet::new();
    for (key, value) in &record.scalars {
        let (id, leaf) =
            split_id(key).ok_or_else(|| format!("unexpected optimizer scalar `{key}`"))?;
        let p = param(id, &format!("scalar `{key}`"))?;
        if leaf == RANK_KEY {
            let rank = usize::try_from(*value)
                .map_err(|_| format!("optimizer scalar `{key}` is not a rank: {value:?}"))?;
            if rank != p.shape.num_dims() {
                return Err(format!(
                    "optimizer state for `{}` has rank {rank}, the parameter has rank {}",
                    p.path,
                    p.shape.num_dims()
                ));
            }
            ranked.insert(id);
        }
        with_state.insert(id);
    }

    for (key, path) in &record.paths {
        let id: u64 = key
            .parse()
            .map_err(|_| format!("unexpected optimizer metadata `{key}`"))?;
        let p = param(id, "a path")?;
        if *path != p.path {
            return Err(format!(
                "optimizer state for parameter {id} was recorded for `{path}`, the network has it at `{}`",
                p.path
            ));
        }
    }

    if let Some(id) = with_state.difference(&ranked).next() {
        return Err(format!(
            "optimizer state for parameter {id} has no `{RANK_KEY}`"
        ));
    }
    if require_all_trainable
        && let Some((_, p)) = params
            .iter()
            .find(|(id, p)| p.trainable && !with_state.contains(id))
    {
        return Err(format!("the optimizer state has nothing for `{}`", p.path));
    }
    Ok(())
}

/// `fresh` with the state of `bytes`, checked against `module` first; then checked that the
/// optimizer rebuilt every state the record holds (a record of another optimizer kind, or
/// missing one of a state's fields, is otherwise dropped without a word by `load_record`).
pub(crate) fn restore_optimizer<M: Module>(
    bytes: &[u8],
    fresh: ModuleOptimizer,
    module: &M,
    require_all_trainable: bool,
) -> Result<ModuleOptimizer, String> {
    check_optimizer_record(bytes, module, require_all_trainable)?;
    let optimizer = fresh
        .from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| format!("unreadable optimizer state: {e:?}"))?;
    let again = optimizer
        .into_bytes()
        .map_err(|e| format!("cannot re-serialise the optimizer state: {e:?}"))?;
    let (before, after) = (
        RecordSummary::parse(bytes)?.keys(),
        RecordSummary::parse(&again)?.keys(),
    );
    if before != after {
        let lost: Vec<_> = before.difference(&after).take(5).collect();
        return Err(format!(
            "the optimizer could not use part of the saved state (another optimizer's?): {lost:?}"
        ));
    }
    Ok(optimizer)
}
