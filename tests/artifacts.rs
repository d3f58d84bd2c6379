//! Metrics logs, learning-curve plots and episode GIFs.

mod common;

use cinder_rl::artifacts::{
    GifRecorder, METRICS_HEADER, MetricsWriter, plot_learning_curve, read_metrics, record_episode,
};
use cinder_rl::env::{CartPole, CartPoleConfig, Environment, Render};
use cinder_rl::error::ArtifactError;
use cinder_rl::train::EpisodeRecord;
use common::Balancer;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cinder-artifacts-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn record(episode: u64, episode_return: f64) -> EpisodeRecord {
    EpisodeRecord {
        episode,
        env_steps: episode * 10,
        episode_return,
        length: 10,
        epsilon: episode.is_multiple_of(2).then_some(0.1),
        entropy: None,
        mean_loss: Some(0.5),
        updates: episode,
        wall_s: episode as f64 * 0.01,
        // Some episodes carry further metrics.
        metrics: match episode % 3 {
            0 => vec![("clip_fraction".into(), 0.125), ("kl".into(), 1e-3)],
            1 => vec![("alpha".into(), -2.5)],
            _ => Vec::new(),
        },
    }
}

#[test]
fn metrics_logs_round_trip_and_resume_drops_later_rows() {
    let dir = temp_dir("metrics");
    let path = dir.join("run").join("metrics.csv");
    let mut writer = MetricsWriter::create(&path).unwrap();
    let records: Vec<EpisodeRecord> = (1..=5).map(|e| record(e, e as f64 * 1.5)).collect();
    for r in &records {
        writer.write(r).unwrap();
    }
    drop(writer);
    assert_eq!(read_metrics(&path).unwrap(), records);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .starts_with("1,10,1.5,10,,,0.5,1,"),
        "{text}"
    );

    let mut resumed = MetricsWriter::resume(&path, 3).unwrap();
    resumed.write(&record(4, 100.0)).unwrap();
    let after: Vec<f64> = read_metrics(&path)
        .unwrap()
        .iter()
        .map(|r| r.episode_return)
        .collect();
    assert_eq!(after, [1.5, 3.0, 4.5, 100.0]);

    std::fs::write(&path, "not,a,metrics,log\n").unwrap();
    assert!(matches!(
        read_metrics(&path),
        Err(ArtifactError::Format { .. })
    ));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_learning_curve_is_a_png_with_returns_mean_and_threshold() {
    let dir = temp_dir("plot");
    let path = dir.join("curve.png");
    let records: Vec<EpisodeRecord> = (1..=300)
        .map(|e| record(e, (e as f64).min(250.0)))
        .collect();
    plot_learning_curve(&records, Some(195.0), "test run", &path).unwrap();
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((info.width, info.height), (900, 500));
    let count = |rgb: [u8; 3]| pixels.chunks_exact(3).filter(|p| *p == rgb).count();
    assert!(count([200, 40, 40]) > 800, "the threshold line is drawn");
    assert!(count([20, 70, 160]) > 800, "the running mean is drawn");
    assert!(
        count([158, 190, 230]) > 200,
        "the episode returns are drawn"
    );
    assert!(matches!(
        plot_learning_curve(&[], None, "empty", &path),
        Err(ArtifactError::Plot(_))
    ));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_recorded_episode_is_a_gif_of_every_state() {
    let dir = temp_dir("gif");
    let path = dir.join("episode.gif");
    let config = CartPoleConfig::v1().with_max_episode_steps(Some(40));
    let mut env = CartPole::new(config.clone()).unwrap();
    let mut recorder = GifRecorder::new(120, 80, 50).unwrap();
    let episode_return = record_episode(&mut Balancer, &mut env, 7, &mut recorder).unwrap();
    assert_eq!(episode_return, 40.0);
    assert_eq!(recorder.frames(), 41, "the first state and one per step");
    recorder.finish(&path).unwrap();

    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options
        .read_info(std::fs::File::open(&path).unwrap())
        .unwrap();
    let first = decoder.read_next_frame().unwrap().unwrap().clone();
    assert_eq!((first.width, first.height, first.delay), (120, 80, 2));
    let mut frames = 1;
    while decoder.read_next_frame().unwrap().is_some() {
        frames += 1;
    }
    assert_eq!(frames, 41);
    // The first frame is exactly the rendered start state.
    let mut start = CartPole::new(config).unwrap();
    start.reset(Some(7));
    let expected = start.render(120, 80).unwrap();
    let rgb: Vec<u8> = first
        .buffer
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    assert_eq!(rgb, expected.pixels());

    let mut small = GifRecorder::new(60, 40, 50).unwrap();
    assert!(matches!(small.push(&expected), Err(ArtifactError::Gif(_))));
    assert!(GifRecorder::new(0, 10, 50).is_err());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn metrics_logs_of_the_earlier_layout_are_read_and_upgraded_on_resume() {
    let dir = temp_dir("old-metrics");
    let path = dir.join("metrics.csv");
    let old = "episode,env_steps,return,length,epsilon,entropy,mean_loss,updates,wall_s\n\
               1,10,10,10,0.5,,0.25,3,0.01\n\
               2,20,12,10,0.4,,,3,0.02\n";
    std::fs::write(&path, old).unwrap();
    let records = read_metrics(&path).unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(
        (records[1].episode_return, records[1].mean_loss),
        (12.0, None)
    );
    assert!(records.iter().all(|r| r.metrics.is_empty()));
    // Resuming rewrites it in the current layout, keeping the rows up to the checkpoint.
    let mut writer = MetricsWriter::resume(&path, 1).unwrap();
    let mut next = record(2, 3.0);
    next.metrics = vec![("a,b;c=d\n".into(), 0.5)];
    writer.write(&next).unwrap();
    drop(writer);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(METRICS_HEADER));
    let records = read_metrics(&path).unwrap();
    assert_eq!(records.len(), 2);
    // A name with the log's separators is written with `_` in their place.
    assert_eq!(records[1].metrics, [("a_b_c_d_".to_string(), 0.5)]);
    // A damaged metrics field is an error, not a panic.
    std::fs::write(
        &path,
        format!("{METRICS_HEADER}\n1,10,10,10,,,,3,0.01,kl\n"),
    )
    .unwrap();
    assert!(read_metrics(&path).is_err());
    std::fs::remove_dir_all(dir).unwrap();
}
