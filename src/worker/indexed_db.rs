//! The browser's copies of each tab's latest run snapshot and of the recent models, in IndexedDB
//! (one database, two object stores), opened from the worker. Each tab writes and deletes only its
//! own record (`tab:<id>`); a tab without one may start from the newest record of another. Every failure — no IndexedDB (some private modes), a blocked
//! open, a full disk — comes back as text; the trainer then says persistence is off and carries on.

use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode};

use super::js::{await_promise, get, global, js_error_text};
use crate::data::Dataset;
use crate::i18n::Text;
use crate::snapshot::RunSnapshot;
use crate::text;
use crate::trainer::store::{RunStore, StoredRun, Unreadable, latest_of};

const DB_NAME: &str = "backprop-playground";
/// Version 2 added `recent`.
const DB_VERSION: u32 = 2;
const STORE: &str = "runs";
/// "Recent models", keyed by the time they were kept (ms since 1970).
const RECENT: &str = "recent";

/// `request.error` or `transaction.error` as "Name: message" (the browser's own words, e.g.
/// "QuotaExceededError: …"), or "" when it gives none.
fn error_of(target: &JsValue) -> String {
    let error = get(target, "error");
    if error.is_null() || error.is_undefined() {
        return String::new();
    }
    let name = get(&error, "name").as_string().unwrap_or_default();
    let message = get(&error, "message").as_string().unwrap_or_default();
    format!("{name}: {message}")
}

/// What failed (a message id) with the browser's detail, if it gave one.
fn failed(what: Text, detail: String) -> Text {
    if detail.is_empty() { what } else { text!("storage-failed-detail", what = what, detail = detail) }
}

/// Resolves with `request.result` on success, rejects with its error.
async fn finish(request: &IdbRequest) -> Result<JsValue, Text> {
    let promise = Promise::new(&mut |resolve, reject| {
        let ok_request = request.clone();
        let on_success = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &ok_request.result().unwrap_or(JsValue::UNDEFINED));
        });
        let err_request: JsValue = request.clone().into();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&error_of(&err_request)));
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    await_promise(promise.into()).await.map_err(|detail| failed(text!("storage-request-failed"), detail))
}

/// Resolves when a transaction commits (a write is only durable then), rejects on error or abort
/// (e.g. `QuotaExceededError` when the disk is full).
async fn commit(transaction: &IdbTransaction) -> Result<(), Text> {
    let promise = Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let tx: JsValue = transaction.clone().into();
        let reject2 = reject.clone();
        let tx2 = tx.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&error_of(&tx)));
        });
        let on_abort = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject2.call1(&JsValue::NULL, &JsValue::from_str(&error_of(&tx2)));
        });
        transaction.set_oncomplete(Some(on_complete.unchecked_ref()));
        transaction.set_onerror(Some(on_error.unchecked_ref()));
        transaction.set_onabort(Some(on_abort.unchecked_ref()));
    });
    await_promise(promise.into()).await.map(|_| ()).map_err(|detail| failed(text!("storage-write-failed"), detail))
}

async fn open() -> Result<IdbDatabase, Text> {
    let scope: web_sys::WorkerGlobalScope = global().unchecked_into();
    // Throws (rather than returning null) in some private modes and sandboxed frames.
    let factory = scope
        .indexed_db()
        .map_err(|e| text!("storage-blocked", detail = js_error_text(&e)))?
        .ok_or(text!("storage-none"))?;
    let request: IdbOpenDbRequest = factory.open_with_u32(DB_NAME, DB_VERSION).map_err(|e| text!("storage-refused", detail = js_error_text(&e)))?;
    let upgrading = request.clone();
    let on_upgrade = Closure::once_into_js(move |_: web_sys::Event| {
        if let Ok(db) = upgrading.result().and_then(|r| r.dyn_into::<IdbDatabase>().map_err(JsValue::from)) {
            // Creating a store that exists (an upgrade from version 1) throws; that one is kept as it is.
            let _ = db.create_object_store(STORE);
            let _ = db.create_object_store(RECENT);
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    let db = finish(&request).await?;
    db.dyn_into::<IdbDatabase>().map_err(|_| text!("storage-refused", detail = "no database"))
}

fn store_in(db: &IdbDatabase, name: &str, mode: IdbTransactionMode) -> Result<(IdbTransaction, web_sys::IdbObjectStore), Text> {
    let transaction = db.transaction_with_str_and_mode(name, mode).map_err(|e| failed(text!("storage-request-failed"), js_error_text(&e)))?;
    let store = transaction.object_store(name).map_err(|e| failed(text!("storage-request-failed"), js_error_text(&e)))?;
    Ok((transaction, store))
}

fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn record_of(snapshot: &RunSnapshot) -> js_sys::Object {
    let record = js_sys::Object::new();
    set(&record, "model", &Uint8Array::from(snapshot.model.as_slice()).into());
    let optimizer = snapshot.optimizer.as_ref().map_or(JsValue::NULL, |o| Uint8Array::from(o.as_slice()).into());
    set(&record, "optimizer", &optimizer);
    set(&record, "meta", &JsValue::from_str(&snapshot.meta_json()));
    record
}

/// A stored record as a snapshot, or why it cannot be read (with its weights, if they are there).
fn snapshot_of(record: &JsValue) -> Result<RunSnapshot, Unreadable> {
    let bytes = |key: &str| {
        let v = get(record, key);
        v.dyn_ref::<Uint8Array>().map(|a| a.to_vec())
    };
    let Some(model) = bytes("model") else {
        return Err(Unreadable { why: text!("record-without-model"), model: None });
    };
    let meta = get(record, "meta").as_string().unwrap_or_default();
    RunSnapshot::from_parts(model.clone(), bytes("optimizer"), &meta).map_err(|why| Unreadable { why, model: Some(model) })
}

async fn put(name: &str, key: &JsValue, record: &JsValue) -> Result<(), Text> {
    let db = open().await?;
    let (transaction, store) = store_in(&db, name, IdbTransactionMode::Readwrite)?;
    let result = match store.put_with_key(record, key) {
        Ok(_) => commit(&transaction).await,
        Err(e) => Err(failed(text!("storage-write-failed"), js_error_text(&e))),
    };
    db.close();
    result
}

async fn delete(name: &str, key: &JsValue) -> Result<(), Text> {
    let db = open().await?;
    let (transaction, store) = store_in(&db, name, IdbTransactionMode::Readwrite)?;
    let result = match store.delete(key) {
        Ok(_) => commit(&transaction).await,
        Err(e) => Err(failed(text!("storage-write-failed"), js_error_text(&e))),
    };
    db.close();
    result
}

/// Every record of `name` with its key.
async fn all(name: &str) -> Result<Vec<(JsValue, JsValue)>, Text> {
    let db = open().await?;
    let (_transaction, store) = store_in(&db, name, IdbTransactionMode::Readonly)?;
    let keys = store.get_all_keys().map_err(|e| failed(text!("storage-request-failed"), js_error_text(&e)))?;
    let values = store.get_all().map_err(|e| failed(text!("storage-request-failed"), js_error_text(&e)))?;
    let (keys, values) = (finish(&keys).await, finish(&values).await);
    db.close();
    let (keys, values): (js_sys::Array, js_sys::Array) = (keys?.unchecked_into(), values?.unchecked_into());
    Ok(keys.iter().zip(values.iter()).collect())
}

async fn get_record(name: &str, key: &JsValue) -> Result<JsValue, Text> {
    let db = open().await?;
    let (_transaction, store) = store_in(&db, name, IdbTransactionMode::Readonly)?;
    let request = store.get(key).map_err(|e| failed(text!("storage-request-failed"), js_error_text(&e)))?;
    let record = finish(&request).await;
    db.close();
    record
}

/// Every recent model, oldest first (keys sort as numbers).
async fn recent() -> Result<Vec<(u64, StoredRun)>, Text> {
    Ok(all(RECENT).await?.into_iter().filter_map(|(key, record)| Some((key.as_f64()? as u64, Some(snapshot_of(&record))))).collect())
}

/// The trainer's store in the browser, for one tab.
pub struct IndexedDbStore {
    key: JsValue,
}

impl IndexedDbStore {
    pub fn for_tab(tab: &str) -> Self {
        Self { key: JsValue::from_str(&format!("tab:{tab}")) }
    }
}

impl RunStore for IndexedDbStore {
    async fn save(&mut self, snapshot: &RunSnapshot) -> Result<(), Text> {
        put(STORE, &self.key, &record_of(snapshot)).await
    }

    async fn load(&mut self) -> Result<StoredRun, Text> {
        let record = get_record(STORE, &self.key).await?;
        if record.is_undefined() || record.is_null() {
            return Ok(None);
        }
        let snapshot = snapshot_of(&record);
        if snapshot.is_err() {
            // Moved among the recent models as it is, so this tab's next save cannot overwrite it.
            let id = JsValue::from_f64(js_sys::Date::now().floor());
            put(RECENT, &id, &record).await?;
            delete(STORE, &self.key).await?;
        }
        Ok(Some(snapshot))
    }

    async fn latest_elsewhere(&mut self, dataset: Dataset) -> Result<Option<RunSnapshot>, Text> {
        let mine = self.key.as_string();
        let others = all(STORE).await?.into_iter().filter(|(key, _)| key.as_string() != mine).filter_map(|(_, record)| snapshot_of(&record).ok());
        Ok(latest_of(others, dataset))
    }

    async fn clear(&mut self) -> Result<(), Text> {
        delete(STORE, &self.key).await
    }

    async fn keep_recent(&mut self, id: u64, snapshot: &RunSnapshot) -> Result<(), Text> {
        put(RECENT, &JsValue::from_f64(id as f64), &record_of(snapshot)).await
    }

    async fn recent(&mut self) -> Result<Vec<(u64, StoredRun)>, Text> {
        recent().await
    }

    async fn forget_recent(&mut self, id: u64) -> Result<(), Text> {
        delete(RECENT, &JsValue::from_f64(id as f64)).await
    }
}
