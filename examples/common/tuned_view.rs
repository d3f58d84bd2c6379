//! The view of the pixel example's tuned preset, which its benchmark measures too.

use cinder_rl::env::{PixelConfig, PixelFrames};

/// The lecture's window at half its resolution, anti-aliased (a 75x50 picture rendered 8 times
/// larger and averaged), grey, the last three pictures stacked: 3 x 20 x 45.
pub fn tuned_view() -> PixelConfig {
    PixelConfig {
        render_width: 75,
        render_height: 50,
        supersample: 8,
        grayscale: true,
        frames: PixelFrames::Stack(3),
        ..PixelConfig::default()
    }
}
