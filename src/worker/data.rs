//! Downloads the MNIST IDX files the page serves itself (gzip, under `data/`) with byte-level
//! progress, and decodes them with the core's IDX reader. URLs are resolved against the page's own
//! address (the worker's may differ), so the page works from any sub-path. Never talks to another origin.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

use super::js::{await_promise, get, global, js_error_text};
use crate::data::{Dataset, MnistDataset, Split};
use crate::protocol::DownloadProgress;

fn file_url(dataset: Dataset, name: &str) -> String {
    format!("{}/{name}.gz", dataset.data_dir())
}

/// `path` resolved against `base` (the page's URL).
pub fn resolve(base: &str, path: &str) -> String {
    web_sys::Url::new_with_base(path, base).map(|u| u.href()).unwrap_or_else(|_| path.to_string())
}

async fn open(url: &str) -> Result<Response, String> {
    let scope: web_sys::WorkerGlobalScope = global().unchecked_into();
    let response = JsFuture::from(scope.fetch_with_str(url))
        .await
        .map_err(|e| format!("could not download {url}: {}", js_error_text(&e)))?;
    let response: Response = response.dyn_into().map_err(|_| format!("{url}: not an HTTP response"))?;
    if !response.ok() {
        return Err(format!("could not download {url} (HTTP {} {})", response.status(), response.status_text()));
    }
    Ok(response)
}

fn content_length(response: &Response) -> Option<u64> {
    response.headers().get("content-length").ok().flatten().and_then(|v| v.parse().ok())
}

/// Reads a response body chunk by chunk, reporting each chunk's size.
async fn read_body(url: &str, response: Response, on_chunk: &dyn Fn(u64)) -> Result<Vec<u8>, String> {
    let Some(body) = response.body() else {
        let buffer = JsFuture::from(response.array_buffer().map_err(|e| js_error_text(&e))?).await.map_err(|e| js_error_text(&e))?;
        let bytes = Uint8Array::new(&buffer).to_vec();
        on_chunk(bytes.len() as u64);
        return Ok(bytes);
    };
    let reader = body.get_reader();
    let mut bytes = Vec::new();
    loop {
        let read = js_sys::Reflect::get(&reader, &"read".into()).map_err(|e| js_error_text(&e))?;
        let read: js_sys::Function = read.dyn_into().map_err(|_| "stream reader has no read()".to_string())?;
        let chunk = await_promise(read.call0(&reader).map_err(|e| js_error_text(&e))?)
            .await
            .map_err(|e| format!("download of {url} broke off: {e}"))?;
        if get(&chunk, "done").as_bool().unwrap_or(true) {
            break;
        }
        let value: Uint8Array = get(&chunk, "value").dyn_into().map_err(|_| "unexpected chunk type".to_string())?;
        let start = bytes.len();
        bytes.resize(start + value.length() as usize, 0);
        value.copy_to(&mut bytes[start..]);
        on_chunk(value.length() as u64);
    }
    Ok(bytes)
}

/// Downloads and decodes both splits. `on_progress` is called after every chunk.
pub async fn load_mnist(base: &str, dataset: Dataset, on_progress: impl Fn(DownloadProgress)) -> Result<(MnistDataset, MnistDataset), String> {
    let names = [Split::Train.images_file(), Split::Train.labels_file(), Split::Test.images_file(), Split::Test.labels_file()];
    // Open all four first so the total is known before the bar starts moving.
    let mut responses = Vec::with_capacity(names.len());
    for name in names {
        responses.push(open(&resolve(base, &file_url(dataset, name))).await?);
    }
    let total: Option<u64> = responses.iter().map(content_length).sum();
    let loaded = std::cell::Cell::new(0u64);
    on_progress(DownloadProgress { loaded: 0, total });
    let mut files = Vec::with_capacity(names.len());
    for (name, response) in names.iter().zip(responses) {
        let url = resolve(base, &file_url(dataset, name));
        let on_chunk = |n: u64| {
            loaded.set(loaded.get() + n);
            on_progress(DownloadProgress { loaded: loaded.get(), total });
        };
        files.push(read_body(&url, response, &on_chunk).await?);
    }
    let train = MnistDataset::from_idx_bytes(&file_url(dataset, names[0]), &files[0], &file_url(dataset, names[1]), &files[1]).map_err(|e| e.to_string())?;
    let test = MnistDataset::from_idx_bytes(&file_url(dataset, names[2]), &files[2], &file_url(dataset, names[3]), &files[3]).map_err(|e| e.to_string())?;
    Ok((train, test))
}

/// Downloads a whole file from the page's own origin.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let response = open(url).await?;
    read_body(url, response, &|_| {}).await
}
