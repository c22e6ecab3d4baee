use backprop_playground::equations::{latex_to_mathml, worked_example};
use backprop_playground::neuron::SigmoidNeuron;

#[test]
fn the_worked_example_typesets_with_the_right_numbers() {
    let neuron = SigmoidNeuron::article_example();
    let step = neuron.step(SigmoidNeuron::ARTICLE_ALPHA);
    let lines = worked_example(&neuron, &step, SigmoidNeuron::ARTICLE_ALPHA);
    let ids: Vec<&str> = lines.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["z", "yhat", "loss", "dw1", "dw2", "db", "w1-new", "w2-new", "b-new"]);
    for line in &lines {
        let mathml = latex_to_mathml(&line.full_latex(), true).unwrap();
        assert!(mathml.starts_with("<math"), "{mathml}");
        // The result is the last number, with its sign.
        let sign = if line.value < 0.0 { "<mi>−</mi>" } else { "<mo>=</mo>" };
        assert!(mathml.ends_with(&format!("{sign}<mn>{:.4}</mn></math>", line.value.abs())), "{}: {mathml}", line.id);
    }
    // The derivative line carries the corrected sign: (ŷ − y), not (y − ŷ).
    let dw1 = &lines[3];
    assert!(dw1.symbolic.contains("(\\hat{y} - y)"));
    assert!(dw1.substituted.starts_with("(0.3296 - 1.0000)"), "{}", dw1.substituted);
    assert_eq!(lines[0].substituted, "0.5000\\cdot0.3000 + (-1.2000)\\cdot0.8000 + 0.1000");
}

#[test]
fn bad_latex_is_an_error_not_a_panic() {
    assert!(latex_to_mathml("\\frac{1}{", false).is_err());
    assert!(latex_to_mathml("x^2", false).unwrap().contains("<msup>"));
}
