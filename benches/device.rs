//! The device a bench runs on: Flex, or with `CINDER_BENCH_DEVICE=cuda` (and the `cuda`
//! feature) the first CUDA GPU, or `wgpu` (and the `wgpu` feature) wgpu's default adapter.

use burn::tensor::Device;

/// The device `CINDER_BENCH_DEVICE` names (`flex` when unset). A name whose backend is not
/// compiled in stops the bench with a message.
pub fn bench_device() -> Device {
    let name = std::env::var("CINDER_BENCH_DEVICE").unwrap_or_else(|_| "flex".into());
    match name.as_str() {
        #[cfg(feature = "cuda")]
        "cuda" => Device::cuda(0),
        #[cfg(feature = "wgpu")]
        "wgpu" => Device::wgpu(burn::tensor::DeviceKind::DefaultDevice),
        "flex" => Device::flex(),
        other => panic!("CINDER_BENCH_DEVICE={other}: not a backend this build has"),
    }
}
