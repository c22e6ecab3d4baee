//! The browser's copy of the latest run snapshot, in IndexedDB (one database, one object store, one
//! record), opened from the worker. Every failure — no IndexedDB (some private modes), a blocked
//! open, a full disk — comes back as text; the trainer then says persistence is off and carries on.

use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode};

use super::js::{await_promise, get, global, js_error_text};
use crate::snapshot::RunSnapshot;
use crate::trainer::store::{RunStore, StoredRun};

const DB_NAME: &str = "backprop-playground";
const STORE: &str = "runs";
const KEY: &str = "latest";

/// `request.error` or `transaction.error` as "Name: message".
fn error_of(target: &JsValue, fallback: &str) -> String {
    let error = get(target, "error");
    if error.is_null() || error.is_undefined() {
        return fallback.to_string();
    }
    let name = get(&error, "name").as_string().unwrap_or_default();
    let message = get(&error, "message").as_string().unwrap_or_default();
    format!("{name}: {message}")
}

/// Resolves with `request.result` on success, rejects with its error.
async fn finish(request: &IdbRequest) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve, reject| {
        let ok_request = request.clone();
        let on_success = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &ok_request.result().unwrap_or(JsValue::UNDEFINED));
        });
        let err_request: JsValue = request.clone().into();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&error_of(&err_request, "the storage request failed")));
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    await_promise(promise.into()).await
}

/// Resolves when a transaction commits (a write is only durable then), rejects on error or abort
/// (e.g. `QuotaExceededError` when the disk is full).
async fn commit(transaction: &IdbTransaction) -> Result<(), String> {
    let promise = Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let tx: JsValue = transaction.clone().into();
        let reject2 = reject.clone();
        let tx2 = tx.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&error_of(&tx, "the storage write failed")));
        });
        let on_abort = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject2.call1(&JsValue::NULL, &JsValue::from_str(&error_of(&tx2, "the storage write was aborted")));
        });
        transaction.set_oncomplete(Some(on_complete.unchecked_ref()));
        transaction.set_onerror(Some(on_error.unchecked_ref()));
        transaction.set_onabort(Some(on_abort.unchecked_ref()));
    });
    await_promise(promise.into()).await.map(|_| ())
}

async fn open() -> Result<IdbDatabase, String> {
    let scope: web_sys::WorkerGlobalScope = global().unchecked_into();
    // Throws (rather than returning null) in some private modes and sandboxed frames.
    let factory = scope
        .indexed_db()
        .map_err(|e| format!("IndexedDB is blocked ({})", js_error_text(&e)))?
        .ok_or("this browser offers no IndexedDB")?;
    let request: IdbOpenDbRequest = factory.open_with_u32(DB_NAME, 1).map_err(|e| format!("IndexedDB refused to open ({})", js_error_text(&e)))?;
    let upgrading = request.clone();
    let on_upgrade = Closure::once_into_js(move |_: web_sys::Event| {
        if let Ok(db) = upgrading.result().and_then(|r| r.dyn_into::<IdbDatabase>().map_err(JsValue::from)) {
            let _ = db.create_object_store(STORE);
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    let db = finish(&request).await?;
    db.dyn_into::<IdbDatabase>().map_err(|_| "IndexedDB returned no database".to_string())
}

fn store_in(db: &IdbDatabase, mode: IdbTransactionMode) -> Result<(IdbTransaction, web_sys::IdbObjectStore), String> {
    let transaction = db.transaction_with_str_and_mode(STORE, mode).map_err(|e| js_error_text(&e))?;
    let store = transaction.object_store(STORE).map_err(|e| js_error_text(&e))?;
    Ok((transaction, store))
}

fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Writes `snapshot` as the latest run, replacing the previous one.
async fn save(snapshot: &RunSnapshot) -> Result<(), String> {
    let db = open().await?;
    let record = js_sys::Object::new();
    set(&record, "model", &Uint8Array::from(snapshot.model.as_slice()).into());
    let optimizer = snapshot.optimizer.as_ref().map_or(JsValue::NULL, |o| Uint8Array::from(o.as_slice()).into());
    set(&record, "optimizer", &optimizer);
    set(&record, "meta", &JsValue::from_str(&snapshot.meta_json()));
    let (transaction, store) = store_in(&db, IdbTransactionMode::Readwrite)?;
    store.put_with_key(&record, &JsValue::from_str(KEY)).map_err(|e| js_error_text(&e))?;
    let result = commit(&transaction).await;
    db.close();
    result
}

/// The latest saved run, if any. A record that cannot be read is reported, not silently dropped.
async fn load() -> Result<Option<Result<RunSnapshot, String>>, String> {
    let db = open().await?;
    let (_transaction, store) = store_in(&db, IdbTransactionMode::Readonly)?;
    let request = store.get(&JsValue::from_str(KEY)).map_err(|e| js_error_text(&e))?;
    let record = finish(&request).await;
    db.close();
    let record = record?;
    if record.is_undefined() || record.is_null() {
        return Ok(None);
    }
    let bytes = |key: &str| {
        let v = get(&record, key);
        v.dyn_ref::<Uint8Array>().map(|a| a.to_vec())
    };
    let Some(model) = bytes("model") else {
        return Ok(Some(Err("the saved record has no model".into())));
    };
    let meta = get(&record, "meta").as_string().unwrap_or_default();
    Ok(Some(RunSnapshot::from_parts(model, bytes("optimizer"), &meta)))
}

/// Forgets the saved run ("Start fresh").
async fn clear() -> Result<(), String> {
    let db = open().await?;
    let (transaction, store) = store_in(&db, IdbTransactionMode::Readwrite)?;
    store.delete(&JsValue::from_str(KEY)).map_err(|e| js_error_text(&e))?;
    let result = commit(&transaction).await;
    db.close();
    result
}

/// The trainer's store in the browser.
pub struct IndexedDbStore;

impl RunStore for IndexedDbStore {
    async fn save(&mut self, snapshot: &RunSnapshot) -> Result<(), String> {
        save(snapshot).await
    }

    async fn load(&mut self) -> Result<StoredRun, String> {
        load().await
    }

    async fn clear(&mut self) -> Result<(), String> {
        clear().await
    }
}
