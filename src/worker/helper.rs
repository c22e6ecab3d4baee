//! A gradient helper: a second dedicated worker, started by the trainer worker from the same script
//! and told apart by its name, that computes one share of each batch on the CPU
//! ([`crate::data_parallel`]). It holds nothing between requests: each one carries the layers'
//! shapes, the current weights and the share's images, and is answered with the share's loss and
//! gradients. Every array's buffer is transferred, not copied, both ways.

use futures_channel::mpsc::{UnboundedReceiver, unbounded};
use futures_lite::StreamExt;
use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array, Uint32Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, Event, MessageEvent, Worker, WorkerOptions, WorkerType};

use burn::tensor::Device;

use super::js::{get, global, js_error_text, now_ms, sleep_ms};
use crate::data::{MnistBatch, MnistDataset, make_batch};
use crate::data_parallel::{ShareGradients, layer_shapes, mlp_from_parameters, parameter_lens, parameters, share_gradients};
use crate::model::Activation;
use crate::training::TrainingSession;

/// The helper's worker name (`self.name` in it).
pub const NAME: &str = "gradient-helper";

fn set(object: &Object, key: &str, value: &JsValue) {
    // Setting a property of a fresh plain object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

/// One JS array holding every vector, one after the other (one copy out of wasm).
fn pack(values: &[Vec<f32>]) -> Float32Array {
    let array = Float32Array::new_with_length(values.iter().map(Vec::len).sum::<usize>() as u32);
    let mut offset = 0u32;
    for v in values {
        let end = offset + v.len() as u32;
        array.subarray(offset, end).copy_from(v);
        offset = end;
    }
    array
}

/// [`pack`]'s inverse (one copy into wasm); `None` when the lengths do not add up to the array's.
fn unpack(array: &Float32Array, lens: &[usize]) -> Option<Vec<Vec<f32>>> {
    if array.length() as usize != lens.iter().sum::<usize>() {
        return None;
    }
    let mut offset = 0u32;
    Some(lens.iter().map(|&n| {
        let end = offset + n as u32;
        let v = array.subarray(offset, end).to_vec();
        offset = end;
        v
    }).collect())
}

/// The helper's side: answers every request until the trainer worker terminates it.
pub fn serve() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let start = now_ms();
        let reply = Object::new();
        let transfer = Array::new();
        match answer(&event.data()) {
            Ok(share) => {
                let gradients = pack(&share.gradients);
                set(&reply, "images", &JsValue::from(share.images as u32));
                set(&reply, "loss", &JsValue::from(share.loss));
                transfer.push(&gradients.buffer());
                set(&reply, "gradients", &gradients);
                set(&reply, "ms", &JsValue::from(now_ms() - start));
            }
            Err(e) => set(&reply, "error", &JsValue::from_str(&e)),
        }
        if let Err(e) = replies.post_message_with_transfer(&reply, &transfer) {
            // The trainer worker waits for an answer: tell it why there is none.
            let failed = Object::new();
            set(&failed, "error", &JsValue::from_str(&js_error_text(&e)));
            let _ = replies.post_message(&failed);
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // Lives as long as the helper.
    on_message.forget();
    let ready = Object::new();
    set(&ready, "ready", &JsValue::TRUE);
    if let Err(e) = scope.post_message(&ready) {
        web_sys::console::error_1(&e);
    }
}

fn answer(request: &JsValue) -> Result<ShareGradients, String> {
    let shapes: Vec<u32> = get(request, "shapes").dyn_into::<Uint32Array>().map_err(|_| "no layer shapes")?.to_vec();
    let shapes: Vec<(usize, usize)> = shapes.chunks_exact(2).map(|c| (c[0] as usize, c[1] as usize)).collect();
    let lens = parameter_lens(&shapes).ok_or("layers too large")?;
    let activation = get(request, "activation").as_string().as_deref().and_then(Activation::from_name).ok_or("no known activation")?;
    let weights = get(request, "weights").dyn_into::<Float32Array>().map_err(|_| "no weights")?;
    let weights = unpack(&weights, &lens).ok_or("the weights do not fit the layers")?;
    let pixels = get(request, "pixels").dyn_into::<Uint8Array>().map_err(|_| "no pixels")?.to_vec();
    let labels = get(request, "labels").dyn_into::<Uint8Array>().map_err(|_| "no labels")?.to_vec();
    let images = MnistDataset::new(pixels, labels).map_err(|e| e.to_string())?;
    let device = Device::flex().autodiff();
    let model = mlp_from_parameters(&shapes, activation, weights, &device).ok_or("the weights do not fit the layers")?;
    let batch = make_batch(&images, &(0..images.len()).collect::<Vec<_>>(), &device);
    share_gradients(&model, &batch).ok_or_else(|| "no gradients for this share".to_string())
}

/// A share of a batch for the helper: raw pixels (`images × 784`) and labels.
pub struct RawShare {
    pub pixels: Vec<u8>,
    pub labels: Vec<u8>,
}

impl RawShare {
    pub fn of(dataset: &MnistDataset, indices: &[usize]) -> Self {
        Self { pixels: indices.iter().flat_map(|&i| dataset.image(i).iter().copied()).collect(), labels: indices.iter().map(|&i| dataset.label(i)).collect() }
    }
}

enum Reply {
    Message(JsValue),
    Failed(String),
}

/// The trainer worker's handle on one helper; terminated when dropped.
pub struct GradientHelper {
    worker: Worker,
    replies: UnboundedReceiver<Reply>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

/// How long a helper may take to load its script and wasm, and to answer one share.
const START_TIMEOUT_MS: i32 = 60_000;
const REPLY_TIMEOUT_MS: i32 = 30_000;

impl GradientHelper {
    /// Starts a helper from this worker's own script and waits until it listens.
    pub async fn start() -> Result<Self, String> {
        let url = get(&get(&global(), "location"), "href").as_string().ok_or("this worker has no script address")?;
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Classic);
        options.set_name(NAME);
        let worker = Worker::new_with_options(&url, &options).map_err(|e| js_error_text(&e))?;
        let (sender, replies) = unbounded();
        let to_loop = sender.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let _ = to_loop.unbounded_send(Reply::Message(event.data()));
        });
        // A plain `Event` when the script fails to load, an `ErrorEvent` when the helper throws.
        let on_error = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            // Handled here: otherwise it is reported again to the page, as the trainer worker's own error.
            event.prevent_default();
            let message = get(&event, "message").as_string().unwrap_or_else(|| "its script could not be loaded".into());
            let _ = sender.unbounded_send(Reply::Failed(message));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let mut helper = Self { worker, replies, _on_message: on_message, _on_error: on_error };
        let ready = helper.next(START_TIMEOUT_MS).await?;
        if get(&ready, "ready").as_bool() != Some(true) {
            return Err("the gradient helper did not start".into());
        }
        Ok(helper)
    }

    /// The helper's next message, or why there is none within `timeout_ms` (a helper that died
    /// without an event, or whose wasm did not start, says nothing).
    async fn next(&mut self, timeout_ms: i32) -> Result<JsValue, String> {
        let timeout = async {
            sleep_ms(timeout_ms).await;
            None
        };
        match futures_lite::future::or(self.replies.next(), timeout).await {
            Some(Reply::Message(data)) => match get(&data, "error").as_string() {
                Some(e) => Err(format!("the gradient helper failed: {e}")),
                None => Ok(data),
            },
            Some(Reply::Failed(e)) => Err(format!("the gradient helper failed: {e}")),
            None => Err(format!("the gradient helper did not answer within {} s", timeout_ms / 1000)),
        }
    }

    /// Asks for the gradients of `share` at the session's current weights (answered by [`reply`](Self::reply)).
    pub fn send(&self, session: &TrainingSession, share: &RawShare) -> Result<(), String> {
        let weights = parameters(&session.model).ok_or("only a model on the CPU can be shared")?;
        let shapes: Vec<u32> = layer_shapes(&session.model).iter().flat_map(|&(r, c)| [r as u32, c as u32]).collect();
        let request = Object::new();
        let (weights, pixels, labels) = (pack(&weights), Uint8Array::from(share.pixels.as_slice()), Uint8Array::from(share.labels.as_slice()));
        set(&request, "shapes", &Uint32Array::from(shapes.as_slice()));
        set(&request, "activation", &JsValue::from_str(session.model.activation.name()));
        set(&request, "weights", &weights);
        set(&request, "pixels", &pixels);
        set(&request, "labels", &labels);
        let transfer = Array::of3(&weights.buffer(), &pixels.buffer(), &labels.buffer());
        self.worker.post_message_with_transfer(&request, &transfer).map_err(|e| js_error_text(&e))
    }

    /// The helper's answer to the last [`send`](Self::send) for a model of these layers, and how
    /// long the helper took over it (ms).
    pub async fn reply(&mut self, shapes: &[(usize, usize)]) -> Result<(ShareGradients, f64), String> {
        let data = self.next(REPLY_TIMEOUT_MS).await?;
        let images = get(&data, "images").as_f64().ok_or("a reply without its image count")? as usize;
        let loss = get(&data, "loss").as_f64().ok_or("a reply without its loss")? as f32;
        let gradients = get(&data, "gradients").dyn_into::<Float32Array>().map_err(|_| "a reply without gradients")?;
        let gradients = unpack(&gradients, &parameter_lens(shapes).ok_or("layers too large")?).ok_or("a reply whose gradients do not fit the layers")?;
        Ok((ShareGradients { images, loss, gradients }, get(&data, "ms").as_f64().unwrap_or(f64::NAN)))
    }
}

impl Drop for GradientHelper {
    fn drop(&mut self) {
        // Detached first, so no event queued meanwhile calls a closure that is being freed.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

/// Where the time of a step split in two went (ms): [`step_in_two`] adds each step's; the benchmark
/// reports the mean per step.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct SplitTimings {
    pub steps: usize,
    /// Reading the weights out and posting them with the helper's share.
    pub send_ms: f64,
    /// This worker's share: forward, backward, gradients read out.
    pub own_ms: f64,
    /// Waiting for the helper's reply after that, and copying its gradients in.
    pub wait_ms: f64,
    /// The helper's own time per request: weights in, its share, gradients out.
    pub helper_ms: f64,
    /// Adding the shares and the optimizer step.
    pub apply_ms: f64,
    /// For comparison, with the helper idle: one call's gradients of a half batch, and of the whole
    /// batch, here.
    pub half_alone_ms: f64,
    pub whole_alone_ms: f64,
}

/// One step of `session` on a batch split in two: `own` here, `theirs` in `helper`, at the same time.
/// Returns the batch's mean loss before the step; `timings` gets this step's.
pub async fn step_in_two(session: &mut TrainingSession, own: &MnistBatch, helper: &mut GradientHelper, theirs: &RawShare, timings: &mut SplitTimings) -> Result<f32, String> {
    let shapes = layer_shapes(&session.model);
    let t0 = now_ms();
    helper.send(session, theirs)?;
    let t1 = now_ms();
    let mine = session.share_gradients(own).ok_or("no gradients for this worker's share")?;
    let t2 = now_ms();
    let (other, helper_ms) = helper.reply(&shapes).await?;
    if other.images != theirs.labels.len() {
        return Err(format!("the gradient helper answered for {} images, not {}", other.images, theirs.labels.len()));
    }
    let t3 = now_ms();
    let loss = session.apply_shares(vec![mine, other]).ok_or("the shares do not fit the model")?;
    let t4 = now_ms();
    timings.steps += 1;
    timings.send_ms += t1 - t0;
    timings.own_ms += t2 - t1;
    timings.wait_ms += t3 - t2;
    timings.helper_ms += helper_ms;
    timings.apply_ms += t4 - t3;
    Ok(loss)
}
