//! Equations on the page: LaTeX (built by the core with the live numbers) → MathML, which browsers
//! render natively. Only MathML that pulldown-latex generated reaches `inner_html`; if a formula
//! cannot be converted, its error is shown as plain text, never parsed as HTML.

use leptos::prelude::*;

use crate::equations::latex_to_mathml;

/// A displayed (block) equation.
pub fn block(latex: &str) -> AnyView {
    match latex_to_mathml(latex, true) {
        Ok(mathml) => view! { <div class="equation" inner_html=mathml></div> }.into_any(),
        Err(e) => view! { <div class="equation field-error">{e}</div> }.into_any(),
    }
}

/// An equation inside a line of text.
pub fn inline(latex: &str) -> AnyView {
    span(latex, false)
}

/// A displayed equation laid out in a line (the worked example's derivation).
pub fn display_in_line(latex: &str) -> AnyView {
    span(latex, true)
}

fn span(latex: &str, display: bool) -> AnyView {
    match latex_to_mathml(latex, display) {
        Ok(mathml) => view! { <span class="equation" inner_html=mathml></span> }.into_any(),
        Err(e) => view! { <span class="field-error">{e}</span> }.into_any(),
    }
}
