//! The equations the backprop page typesets, as LaTeX with the live numbers filled in, and their
//! conversion to MathML (which browsers render natively) with `pulldown-latex`.

use pulldown_latex::{Parser, RenderConfig, Storage, config::DisplayMode, push_mathml};

use crate::neuron::{NeuronStep, SigmoidNeuron};

/// Converts LaTeX to a `<math>` element; a LaTeX error is returned, not rendered.
pub fn latex_to_mathml(latex: &str, display: bool) -> Result<String, String> {
    let storage = Storage::new();
    let events: Result<Vec<_>, _> = Parser::new(latex, &storage).collect();
    let events = events.map_err(|e| format!("LaTeX error in `{latex}`: {e}"))?;
    let config = RenderConfig { display_mode: if display { DisplayMode::Block } else { DisplayMode::Inline }, ..Default::default() };
    let mut out = String::new();
    push_mathml(&mut out, events.into_iter().map(Ok::<_, std::convert::Infallible>), config).map_err(|e| e.to_string())?;
    Ok(out)
}

/// A number as the page prints it: 4 decimals, negatives in parentheses when substituted into a product.
pub fn num(v: f64) -> String {
    if v.is_nan() {
        "\\text{NaN}".into()
    } else if v.is_infinite() {
        if v > 0.0 { "\\infty".into() } else { "-\\infty".into() }
    } else {
        format!("{v:.4}")
    }
}

/// Scientific notation for tiny or huge numbers: `1.2345 \times 10^{-5}`.
pub fn sci(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return num(v);
    }
    let exp = v.abs().log10().floor() as i32;
    format!("{:.4}\\times 10^{{{exp}}}", v / 10f64.powi(exp))
}

fn paren(v: f64) -> String {
    if v < 0.0 { format!("({})", num(v)) } else { num(v) }
}

/// One line of a derivation: the rule, the rule with numbers, the result.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivationLine {
    /// Stable name, e.g. `z`, `dw1` (the page's `data-testid` is `example-{id}`).
    pub id: String,
    pub symbolic: String,
    pub substituted: String,
    pub value: f64,
}

impl DerivationLine {
    /// `symbolic = substituted = value`, as one LaTeX string.
    pub fn full_latex(&self) -> String {
        format!("{} = {} = {}", self.symbolic, self.substituted, num(self.value))
    }
}

/// The worked example of the article (§4.2), every line with the numbers of `neuron` and `alpha`.
pub fn worked_example(neuron: &SigmoidNeuron, step: &NeuronStep, alpha: f64) -> Vec<DerivationLine> {
    let line = |id: &str, symbolic: &str, substituted: String, value: f64| DerivationLine {
        id: id.into(),
        symbolic: symbolic.into(),
        substituted,
        value,
    };
    let x = |i: usize| neuron.x.get(i).copied().unwrap_or(0.0);
    let w = |i: usize| neuron.w.get(i).copied().unwrap_or(0.0);
    let terms: Vec<String> = (0..neuron.x.len()).map(|i| format!("{}\\cdot{}", paren(x(i)), paren(w(i)))).collect();
    let sym_terms: Vec<String> = (0..neuron.x.len()).map(|i| format!("x_{}w_{}", i + 1, i + 1)).collect();
    let z_sym = format!("z = {} + b", sym_terms.join(" + "));
    let mut lines = vec![
        line("z", &z_sym, format!("{} + {}", terms.join(" + "), paren(neuron.b)), step.z),
        line("yhat", "\\hat{y} = \\sigma(z) = \\frac{1}{1 + e^{-z}}", format!("\\frac{{1}}{{1 + e^{{{}}}}}", num(-step.z)), step.y_hat),
        line("loss", "L = \\tfrac{1}{2}(y - \\hat{y})^2", format!("\\tfrac{{1}}{{2}}({} - {})^2", num(neuron.y), num(step.y_hat)), step.loss),
    ];
    let factor = format!("({} - {})\\cdot {}\\,(1 - {})", num(step.y_hat), num(neuron.y), num(step.y_hat), num(step.y_hat));
    for i in 0..neuron.x.len() {
        lines.push(line(
            &format!("dw{}", i + 1),
            &format!("\\frac{{\\partial L}}{{\\partial w_{0}}} = (\\hat{{y}} - y)\\,\\hat{{y}}(1 - \\hat{{y}})\\,x_{0}", i + 1),
            format!("{factor}\\cdot {}", paren(x(i))),
            step.dw[i],
        ));
    }
    lines.push(line("db", "\\frac{\\partial L}{\\partial b} = (\\hat{y} - y)\\,\\hat{y}(1 - \\hat{y})", factor.clone(), step.db));
    for i in 0..neuron.w.len() {
        lines.push(line(
            &format!("w{}-new", i + 1),
            &format!("w_{0} \\leftarrow w_{0} - \\alpha\\,\\frac{{\\partial L}}{{\\partial w_{0}}}", i + 1),
            format!("{} - {}\\cdot {}", num(w(i)), num(alpha), paren(step.dw[i])),
            step.w_new[i],
        ));
    }
    lines.push(line(
        "b-new",
        "b \\leftarrow b - \\alpha\\,\\frac{\\partial L}{\\partial b}",
        format!("{} - {}\\cdot {}", num(neuron.b), num(alpha), paren(step.db)),
        step.b_new,
    ));
    lines
}
