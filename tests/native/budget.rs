use backprop_playground::model::MlpConfig;
use backprop_playground::trainer::budget::{MemoryBudget, check, estimate};
use backprop_playground::training::{OptimizerKind, TrainingConfig};

#[test]
fn the_seed_network_needs_its_parameters_ten_times_with_adam_and_four_times_with_sgd() {
    let seed = TrainingConfig::new();
    let e = estimate(&seed);
    assert_eq!(e.parameters, 567_434, "784·512+512 + 512·256+256 + 256·128+128 + 128·10+10");
    assert_eq!(e.parameter_bytes, 567_434 * 4 * 10);
    assert_eq!(e.activation_bytes, 64 * (784 + 512 + 256 + 128 + 10) * 4 * 4);
    assert_eq!(e.largest_tensor_bytes, 784 * 512 * 4);
    assert!(check(&seed, &MemoryBudget::cpu()).is_ok());
    let sgd = estimate(&seed.clone().with_optimizer(OptimizerKind::Sgd));
    assert_eq!(sgd.parameter_bytes, 567_434 * 4 * 4);
}

#[test]
fn a_tensor_larger_than_one_webgpu_binding_is_refused_though_the_total_fits() {
    let wide = TrainingConfig::new().with_model(MlpConfig::new().with_hidden(vec![4096]));
    let budget = MemoryBudget::webgpu(1 << 30, 8 << 20);
    let refused = check(&wide, &budget).expect_err("784·4096 floats = 12.25 MB > an 8 MB binding").english();
    assert!(refused.starts_with("One tensor of this network would take 12 MB, more than the 8 MB one buffer may hold on this WebGPU adapter."), "{refused}");
    assert!(check(&wide, &MemoryBudget::webgpu(1 << 30, 1 << 30)).is_ok());
}
