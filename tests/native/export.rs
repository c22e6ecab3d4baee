//! The exported files hold exactly the numbers the page shows.

use backprop_playground::export::{confusion_csv, epochs_csv, file_stem, losses_csv, smooth};
use backprop_playground::settings::PlaygroundSettings;

#[test]
fn the_loss_csv_has_every_step_its_epoch_and_the_charts_smoothing() {
    let losses = [2.3f32, 2.1, 1.9, f32::NAN, 1.5];
    let csv = losses_csv(&losses, 2);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0], ["step", "epoch", "loss", "smoothed_loss"]);
    assert_eq!(rows.len(), 1 + losses.len());
    let smoothed = smooth(&losses, 0.9);
    for (i, row) in rows[1..].iter().enumerate() {
        assert_eq!(row[0].parse::<usize>().unwrap(), i + 1);
        assert_eq!(row[1].parse::<usize>().unwrap(), i / 2 + 1, "2 batches per epoch");
        let loss: f32 = row[2].parse().unwrap();
        assert!(loss == losses[i] || (loss.is_nan() && losses[i].is_nan()), "{row:?}");
        let s: f32 = row[3].parse().unwrap();
        assert!(s == smoothed[i] || (s.is_nan() && smoothed[i].is_nan()));
    }
    assert_eq!(rows[4][2], "NaN", "a diverged step is spelled out");
    assert!((smoothed[1] - (0.9 * 2.3 + 0.1 * 2.1)).abs() < 1e-6);
}

#[test]
fn the_epoch_and_confusion_csvs_hold_the_results() {
    let csv = epochs_csv(&[(0, 0.9712, 0.0931), (1, 0.9788, 0.07)]);
    assert_eq!(csv, "epoch,test_accuracy,mean_test_loss\n1,0.9712,0.0931\n2,0.9788,0.07\n");
    let mut matrix = [[0u32; 10]; 10];
    matrix[3][5] = 7;
    matrix[9][9] = 1000;
    let names: Vec<String> = (0..10).map(|d| d.to_string()).collect();
    let csv = confusion_csv(&matrix, &names);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 11);
    assert_eq!(rows[0][0], "true\\predicted");
    assert_eq!(rows[4][0], "3");
    assert_eq!(rows[4][6], "7", "true 3, predicted 5");
    assert_eq!(rows[10][10], "1000");
    let total: u32 = rows[1..].iter().flat_map(|r| r[1..].iter().map(|v| v.parse::<u32>().unwrap())).sum();
    assert_eq!(total, 1007);
}

#[test]
fn file_names_say_which_run_and_when() {
    let (settings, _) = PlaygroundSettings::from_query("hidden=64,32&lr=0.01&batch=128&optimizer=sgd");
    assert_eq!(file_stem(&settings, "2026-12-01_1152"), "backprop-playground_784-64-32-10_sgd_lr0.01_batch128_2026-12-01_1152");
    let default = file_stem(&PlaygroundSettings::default(), "2026-12-01_0900");
    assert_eq!(default, "backprop-playground_784-512-256-128-10_adam_lr0.001_batch64_2026-12-01_0900");
    let (fashion, _) = PlaygroundSettings::from_query("dataset=fashion");
    assert_eq!(file_stem(&fashion, "2026-12-01_0900"), "backprop-playground_fashion_784-512-256-128-10_adam_lr0.001_batch64_2026-12-01_0900");
}
