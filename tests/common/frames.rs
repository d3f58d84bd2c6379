//! Reference frames: RGB PNG files read as [`Frame`]s.

use cinder_rl::env::Frame;

/// The RGB PNG at `path` as a frame; anything else fails the test.
pub fn read_png(path: &str) -> Frame {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb, "{path}");
    pixels.truncate(info.buffer_size());
    Frame::from_pixels(info.width as usize, info.height as usize, pixels).unwrap()
}
