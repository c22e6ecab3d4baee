use backprop_playground::model::Activation;
use backprop_playground::settings::{BackendPreference, PlaygroundSettings};
use backprop_playground::training::{OptimizerKind, TrainingConfig};

#[test]
fn defaults_are_the_seeds_and_share_as_an_empty_query() {
    let s = PlaygroundSettings::default();
    assert_eq!(s.training, TrainingConfig::new());
    assert_eq!(s.training.model.hidden, vec![512, 256, 128]);
    assert_eq!((s.training.learning_rate, s.training.batch_size), (1e-3, 64));
    assert_eq!(s.to_query(), "");
}

#[test]
fn a_shared_link_round_trips() {
    let (s, errors) = PlaygroundSettings::from_pairs([
        ("lr", "0.01"),
        ("batch", "128"),
        ("hidden", "256,128"),
        ("train", "2000"),
        ("test", "500"),
        ("optimizer", "sgd"),
        ("activation", "tanh"),
        ("backend", "cpu"),
        ("utm_source", "ignored"),
    ]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(s.training.learning_rate, 0.01);
    assert_eq!(s.training.batch_size, 128);
    assert_eq!(s.training.model.hidden, vec![256, 128]);
    assert_eq!((s.train_limit, s.test_limit), (Some(2000), Some(500)));
    assert_eq!(s.training.optimizer, OptimizerKind::Sgd);
    assert_eq!(s.training.model.activation, Activation::Tanh);
    assert_eq!(s.backend, BackendPreference::Cpu);
    let query = s.to_query();
    let pairs: Vec<(&str, &str)> = query.split('&').filter_map(|p| p.split_once('=')).collect();
    assert_eq!(PlaygroundSettings::from_pairs(pairs).0, s);
}

#[test]
fn bad_values_are_refused_per_field_and_keep_the_default() {
    for (key, value) in [
        ("lr", ""),
        ("lr", "NaN"),
        ("lr", "-1"),
        ("lr", "1e9"),
        ("batch", "0"),
        ("batch", "-5"),
        ("batch", "99999999"),
        ("hidden", "512,,abc"),
        ("hidden", ""),
        ("hidden", "1,2,3,4,5,6,7"),
        ("epochs", "1.5"),
        ("train", "0"),
        ("activation", "gelu"),
        ("backend", "tpu"),
    ] {
        let (s, errors) = PlaygroundSettings::from_pairs([(key, value)]);
        assert_eq!(errors.len(), 1, "{key}={value} should be refused");
        assert_eq!(errors[0].field, key);
        assert!(!errors[0].message.english().trim().is_empty());
        assert_eq!(s, PlaygroundSettings::default(), "{key}={value} must leave the defaults");
    }
}

/// `?dataset=fashion` picks Fashion-MNIST and travels in shared links and snapshots; MNIST, the
/// default, adds nothing to a link; anything else is refused with the field named.
#[test]
fn the_dataset_is_a_setting_of_the_link() {
    use backprop_playground::data::Dataset;
    let (fashion, errors) = PlaygroundSettings::from_query("dataset=fashion&lr=0.01");
    assert!(errors.is_empty());
    assert_eq!(fashion.dataset, Dataset::Fashion);
    assert_eq!(fashion.to_query(), "lr=0.01&dataset=fashion");
    assert_eq!(PlaygroundSettings::from_query(&fashion.to_query()).0, fashion);
    assert_eq!(PlaygroundSettings::from_query("dataset=mnist").0.to_query(), "");
    let (bad, errors) = PlaygroundSettings::from_query("dataset=cifar");
    assert_eq!(bad.dataset, Dataset::Mnist);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "dataset");
    assert_eq!(errors[0].describe().english(), "Dataset — choose mnist or fashion");
}
