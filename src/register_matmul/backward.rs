//! The extension under autodiff: burn's own matmul backward (`burn-autodiff`'s `float_matmul`), with
//! each of its two products taken through the extension again, so the backward pass runs the same
//! kernel as the forward pass.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::{Autodiff, NodeId};
use burn::backend::tensor::FloatTensor;
use burn::backend::Backend;

use super::RegisterTiledMatmul;

#[derive(Debug)]
struct MatmulBackward;

impl<B: Backend + RegisterTiledMatmul> Backward<B, 2> for MatmulBackward {
    /// The checkpointed `lhs` (kept only when `rhs` needs a gradient) and `rhs` (when `lhs` does).
    type State = (Option<NodeId>, Option<NodeId>);

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let (lhs, rhs) = ops.state;
        let lhs: Option<FloatTensor<B>> = lhs.map(|id| checkpointer.retrieve_node_output(id));
        let rhs: Option<FloatTensor<B>> = rhs.map(|id| checkpointer.retrieve_node_output(id));
        let [lhs_node, rhs_node] = ops.parents;
        let grad = grads.consume::<B>(&ops.node); // [m, n]
        // The forward pass kept each operand exactly when the other one's parent is tracked.
        if let (Some(node), Some(rhs)) = (lhs_node, rhs) {
            let grad_lhs = B::register_tiled_matmul(grad.clone(), B::float_transpose(rhs)); // [m, k]
            grads.register::<B>(node.id, grad_lhs);
        }
        if let (Some(node), Some(lhs)) = (rhs_node, lhs) {
            let grad_rhs = B::register_tiled_matmul(B::float_transpose(lhs), grad); // [k, n]
            grads.register::<B>(node.id, grad_rhs);
        }
    }
}

impl<B: Backend + RegisterTiledMatmul, C: CheckpointStrategy> RegisterTiledMatmul for Autodiff<B, C> {
    fn register_tiled_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self> {
        let lhs_tracked = lhs.is_tracked();
        let rhs_tracked = rhs.is_tracked();
        match MatmulBackward.prepare::<C>([lhs.node(), rhs.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let lhs_state = rhs_tracked.then(|| prep.checkpoint(&lhs));
                let rhs_state = lhs_tracked.then(|| prep.checkpoint(&rhs));
                let product = B::register_tiled_matmul(lhs.into_primitive(), rhs.into_primitive()); // [m, n]
                prep.finish((lhs_state, rhs_state), product)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::register_tiled_matmul(lhs.into_primitive(), rhs.into_primitive())),
        }
    }
}
