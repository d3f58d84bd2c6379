//! Learning-curve plots.

use std::path::Path;
use std::sync::OnceLock;

use plotters::prelude::*;

use super::io_error;
use crate::atomic::write_atomic;
use crate::error::ArtifactError;
use crate::train::EpisodeRecord;

const WIDTH: u32 = 900;
const HEIGHT: u32 = 500;
const EPISODE_COLOUR: RGBColor = RGBColor(158, 190, 230);
const MEAN_COLOUR: RGBColor = RGBColor(20, 70, 160);
const THRESHOLD_COLOUR: RGBColor = RGBColor(200, 40, 40);

/// Registers the bundled font under the family name the plots use, once.
fn font() -> Result<(), ArtifactError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        )
        .is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(ArtifactError::Plot("the bundled font did not load".into()))
    }
}

/// The mean of each record's return with the up to 99 before it.
fn rolling_mean(records: &[EpisodeRecord]) -> Vec<(f64, f64)> {
    let mut sum = 0.0;
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            sum += r.episode_return;
            if i >= 100 {
                sum -= records[i - 100].episode_return;
            }
            (r.episode as f64, sum / (i + 1).min(100) as f64)
        })
        .collect()
}

/// Draws the learning curve of a run to the PNG at `path` (written atomically): the return of
/// every episode, its 100-episode running mean, and the solve `threshold` when there is one.
///
/// No episode is a [`ArtifactError::Plot`] error.
pub fn plot_learning_curve(
    records: &[EpisodeRecord],
    threshold: Option<f64>,
    title: &str,
    path: &Path,
) -> Result<(), ArtifactError> {
    let (Some(first), Some(last)) = (records.first(), records.last()) else {
        return Err(ArtifactError::Plot("no episode to plot".into()));
    };
    font()?;
    let returns = records.iter().map(|r| r.episode_return);
    let low = returns
        .clone()
        .chain(threshold)
        .fold(f64::INFINITY, f64::min)
        .min(0.0);
    let high = returns.chain(threshold).fold(f64::NEG_INFINITY, f64::max);
    let margin = ((high - low) * 0.05).max(1e-3);
    // Headroom above the curves for the legend.
    let top = high + 5.0 * margin;
    let episodes = first.episode as f64..(last.episode as f64).max(first.episode as f64 + 1.0);

    let mut pixels = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    let plot_error = |e: &dyn std::fmt::Display| ArtifactError::Plot(e.to_string());
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_error(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 24))
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(episodes.clone(), low - margin..top)
            .map_err(|e| plot_error(&e))?;
        chart
            .configure_mesh()
            .x_desc("episode")
            .y_desc("return")
            .label_style(("sans-serif", 15))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y}"))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| plot_error(&e))?;

        let per_episode = records.iter().map(|r| (r.episode as f64, r.episode_return));
        chart
            .draw_series(LineSeries::new(per_episode, EPISODE_COLOUR))
            .map_err(|e| plot_error(&e))?
            .label("episode return")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], EPISODE_COLOUR));
        chart
            .draw_series(LineSeries::new(
                rolling_mean(records),
                MEAN_COLOUR.stroke_width(3),
            ))
            .map_err(|e| plot_error(&e))?
            .label("mean of the last 100")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], MEAN_COLOUR.stroke_width(3))
            });
        if let Some(threshold) = threshold {
            let line = [(episodes.start, threshold), (episodes.end, threshold)];
            chart
                .draw_series(LineSeries::new(line, THRESHOLD_COLOUR.stroke_width(2)))
                .map_err(|e| plot_error(&e))?
                .label(format!("solved at {threshold}"))
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], THRESHOLD_COLOUR.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .label_font(("sans-serif", 15))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(|e| plot_error(&e))?;
        root.present().map_err(|e| plot_error(&e))?;
    }

    let mut png_bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png_bytes, WIDTH, HEIGHT);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| plot_error(&e))?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| plot_error(&e))?;
    }
    write_atomic(path, &png_bytes).map_err(|e| io_error(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_running_mean_covers_at_most_100_episodes() {
        let records: Vec<EpisodeRecord> = (1..=150)
            .map(|i| EpisodeRecord {
                episode: i,
                env_steps: i,
                episode_return: if i <= 50 { 0.0 } else { 1.0 },
                length: 1,
                ..EpisodeRecord::default()
            })
            .collect();
        let mean = rolling_mean(&records);
        assert_eq!(mean[49], (50.0, 0.0));
        assert_eq!(mean[99], (100.0, 0.5));
        assert_eq!(mean[149], (150.0, 1.0));
    }
}
