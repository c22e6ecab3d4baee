# Backprop Playground — English. Every id here must also be in zh.ftl, with the same arguments
# (tests/native/i18n.rs checks). The seed's log lines ("Train Epoch: …") are not translated.

## Small pieces

empty = {""}
verbatim = { $text }
list-joined = { $first }; { $rest }
accuracy-suffix = , { $percent }% test accuracy
percent-suffix = , { $percent }%

## The models the page predicts with

model-pretrained = pretrained model ({ $epochs ->
        [one] 1 epoch
       *[other] { $epochs } epochs
    }{ $accuracy })
model-trained-here = model trained here ({ $steps ->
        [one] 1 step
       *[other] { $steps } steps
    }, epoch { $epoch } of { $epochs }{ $accuracy })
model-uploaded = uploaded { $name } ({ $epochs ->
        [one] 1 epoch
       *[other] { $epochs } epochs
    }{ $accuracy })
pretrained-not-downloaded = The pretrained model could not be downloaded ({ $reason }); train one here instead.
pretrained-damaged = The pretrained model is damaged ({ $reason }); train one here instead.
pretrained-not-loaded = The pretrained model is not loaded yet.
using-pretrained = Now using the pretrained model; Train continues from it.

## Training

not-ready-yet = The data or the compute backend is not ready yet.
fix-settings-first = Fix the settings first: { $problems }
diverged = Training stopped: the loss became { $loss } at step { $step } (the learning rate is probably too high). The weights from step { $restored_step }, before it went wrong, are kept.
read-failed = Reading results from the device failed: { $reason }. The model is kept; try Resume.
evaluation-failed = Evaluation failed: { $reason }
data-failed = The MNIST data could not be loaded: { $reason }
data-not-loaded = the data is not loaded yet.
data-not-loaded-sentence = The data is not loaded yet.
data-not-loaded-reason = the data is not loaded yet
unreadable-command = The trainer received a message it cannot read ({ $reason }).
no-model-yet = There is no model yet.

## Saving in this browser, recent models, undo

persistence-unreadable-weights = the weights could not be read for saving ({ $reason })
persistence-recent-failed = the recent models could not be stored ({ $reason }); they are kept until this page closes
snapshot-described = saved { $time }, epoch { $epoch }, step { $step }{ $accuracy }
restored-from-browser = Restored model from this browser ({ $saved }).
restored-from-other-tab = Restored the latest run saved in this browser, from another tab ({ $saved }); this tab trains its own copy.
restored-with-note = { $note } Note: { $why }.
saved-run-unreadable = The run saved in this browser could not be read ({ $reason }). It is kept under Recent models, and this tab starts fresh.{ $download }
saved-run-weights-downloadable = {" "}Its weights can still be downloaded from Recent models.
saved-run-not-restored = The run saved in this browser could not be restored ({ $reason }); starting fresh.
keep-current-failed = The current model could not be read to keep it ({ $reason }).
snapshot-newer = saved by a newer version of the page (format { $format }; this one reads formats { $oldest } to { $newest })
snapshot-adam-afresh = the optimizer state could not be restored ({ $reason }); Adam starts afresh
record-without-model = the saved record has no model
record-unreadable-details = unreadable run details ({ $detail })
storage-none = this browser offers no IndexedDB
storage-blocked = IndexedDB is blocked ({ $detail })
storage-refused = IndexedDB refused to open ({ $detail })
storage-request-failed = the storage request failed
storage-write-failed = the storage write failed
storage-failed-detail = { $what } ({ $detail })
recent-settings = { $sizes }, { $optimizer }, lr { $lr }, batch { $batch }, { $dataset }
because-new-run = a new run started after it ended
because-diverged = the loss diverged: these are the last good weights
because-recent-restored = a recent model was restored
because-reset = Reset
because-use-pretrained = Use pretrained model
because-load-weights = Load weights ({ $name })
undo-offer = the model before “{ $because }” ({ $steps ->
        [one] 1 step
       *[other] { $steps } steps
    })
nothing-to-undo = There is nothing to undo.
recent-gone = That model is no longer kept.
restored-recent = Restored the model kept before “{ $because }” (epoch { $epoch }, step { $step }).
recent-not-restored = That model could not be restored ({ $reason }); the current one stays.

## Weights files

weights-not-loaded = “{ $name }” was not loaded: { $reason } Your current model is unchanged.
weights-loaded = Loaded “{ $name }”. Train to continue from it, or draw a digit.
sentence = { $text }.
weights-too-large = the file is { $size } MB; weight files larger than { $max } MB are refused
weights-header-too-large = the safetensors header claims { $bytes } bytes; headers over 100 MB are refused
weights-not-safetensors = not a valid safetensors file ({ $reason })
weights-missing-tensor = the tensor `{ $name }` is missing
weights-unexpected-tensor = the file has a tensor `{ $name }` this network does not have (expected fc1…fcN weights and biases)
weights-wrong-dtype = `{ $name }` is { $found }; expected float32 (F32)
weights-wrong-shape = `{ $name }` has shape { $found }; expected { $expected }
weights-non-finite = `{ $name }` contains NaN or infinite values
weights-bad-architecture = unsupported network: { $reason }
download-no-model = The download failed: there is no model yet: train one or load one first.
download-unreadable = The download failed: the weights could not be read ({ $reason })

## Drawing and teaching it back

drawing-wrong-size = A drawing must be 28×28 = { $expected } pixels, got { $got }.
model-still-loading = The model is still loading…
prediction-failed = Prediction failed: { $reason }
weight-tiles-failed = The first layer's weights could not be read: { $reason }
label-first = Label a drawing first: click the digit it should be.
label-not-digit = a label is not a digit.
my-digits-unreadable = My digits are unreadable: { $reason }
fine-tuned = Fine-tuned: { $steps } steps on { $count } of my digits mixed with MNIST (last loss { $loss }).
draw-first = Draw a digit first.

## The backprop stepper (trainer side)

backprop-waiting = Waiting for the data and a model…
backprop-no-test-images = There are no test images.
backprop-compute-first = Compute the numbers first (choose a phase).
backprop-model-changed = The model changed since these numbers were computed; they are shown again for the current model. Press again to apply.
backprop-no-live-run = Train or step once first, so there is a live training run to update.
applied-live = Applied to the live model (its optimizer state carries on): w went from { $before } to { $after }.
applied-copy = Applied to a copy ({ $optimizer }, the run's state): burn moved w from { $before } to { $after }; the step written out above gives { $expected } (|Δ| = { $gap }) { $tick }

## Backends

backend-cpu = CPU (wasm)
backend-webgpu = WebGPU — { $adapter }
backend-webgpu-software = WebGPU — { $adapter } (software adapter)
backend-chosen-cpu = chosen with ?backend=cpu
backend-chosen-webgpu = chosen with ?backend=webgpu
backend-hardware = hardware GPU adapter
backend-looking = Looking for a WebGPU adapter…
backend-setting-up = Setting up WebGPU…
backend-timing-background = training on the CPU path while WebGPU on the software adapter “{ $adapter }” is timed in the background
backend-no-navigator-gpu = this browser offers no WebGPU to the trainer's worker (navigator.gpu is missing there)
backend-no-adapter = the browser offers no WebGPU adapter
backend-setup-failed = WebGPU set-up failed: { $reason }
backend-no-webgpu = { $reason }; training runs on the CPU instead
backend-measured-gpu = measured: WebGPU { $gpu } images/s, CPU { $cpu } images/s
backend-measured-cpu = measured: CPU { $cpu } images/s, WebGPU { $gpu } images/s on the software adapter “{ $adapter }”
backend-gpu-failed-measuring = WebGPU failed while measuring ({ $reason }); training runs on the CPU
backend-cpu-failed-measuring = the CPU path failed while measuring ({ $reason })
backend-after-gpu-loss = moved here after the GPU was lost; reload the page to try WebGPU again
gpu-lost-restored = The GPU stopped working ({ $reason }). Training moved to the CPU with the last saved weights (step { $step }, epoch { $epoch }); press Resume to continue.
gpu-lost-fresh = The GPU stopped working ({ $reason }) before any weights were saved. Training moved to the CPU and starts afresh.
debug-devices-destroyed = Debug: destroyed { $count } WebGPU device(s).

## Memory budget

budget-cpu = the CPU path in wasm
budget-webgpu = this WebGPU adapter
budget-too-big = This network needs about { $needed } to train ({ $parameters } parameters: their copies — weights, gradients, { $optimizer ->
        [adam] Adam's moments,{" "}
       *[other] {""}
    }the last good weights and a snapshot — take { $parameter_bytes }; a batch of { $batch } takes { $activation_bytes }), more than the { $allowed } allowed on { $device }. Use fewer or narrower hidden layers, or a smaller batch.
budget-tensor-too-big = One tensor of this network would take { $needed }, more than the { $allowed } one buffer may hold on { $device }. Use fewer or narrower hidden layers, or a smaller batch.

## Settings

setting-hidden = Hidden layer sizes
setting-activation = Activation
setting-optimizer = Optimizer
setting-lr = Learning rate
setting-batch = Batch size
setting-epochs = Epochs
setting-seed = Initial-weights seed
setting-train = Training images
setting-test = Test images
setting-backend = Backend
field-problem = { $field } — { $problem }
field-required = required
field-not-whole = “{ $value }” is not a whole number
field-between = must be between { $min } and { $max }
field-not-number = “{ $value }” is not a number
field-lr-range = must be a number above 0 and at most 100
field-seed = “{ $value }” is not a whole number ≥ 0
field-hidden = give 1 to { $max } sizes separated by commas, e.g. 512,256,128
field-activation = choose relu, sigmoid or tanh
field-optimizer = choose adam or sgd
field-backend = choose auto, cpu or webgpu

## The page: header, status, progress

page-title = Backprop Playground
tagline = Train a real neural network on MNIST in your browser, and watch it learn.
tagline-fashion = Train a real neural network on Fashion-MNIST (pictures of clothes) in your browser, and watch it learn.
skip-to-content = Skip to the training view
language = Language
projector-mode = Projector mode
shortcuts-button = Keyboard shortcuts (?)
backend-after-download = backend chosen after the download
choosing-backend = choosing a backend…
offline-copy = Running from the copy saved in this browser: you are offline, and everything still works here.
dismiss = dismiss
retry-download = Retry download
other-tabs-training = { $count ->
        [one] Another tab of this page is training too: the two share this computer.
       *[other] { $count } other tabs of this page are training too: they share this computer.
    }
dataset-sizes = { $train } training / { $test } test images
training-view = training
more-panels = Settings, your model, the log, results, backprop step by step and the worked example
footer-network = Network:
footer-privacy = Everything runs in this tab; nothing is sent anywhere.
link-settings-ignored = Some link settings were ignored ({ $problems }); the defaults are used for them.
status-downloading-of = Downloading MNIST: { $loaded } of { $total } MB ({ $percent }%)
status-downloading = Downloading MNIST: { $loaded } MB
status-data-failed = The data could not be loaded.
status-ready = Ready: press Train.
status-training = Training…
status-paused = Paused.
status-evaluating = Evaluating on the test images…
status-finished = Finished.
status-diverged = Stopped: the loss diverged.
download-progress = download progress
progress = progress
metric-epoch = Epoch
metric-batch = Batch
metric-images-per-second = Images / s
metric-test-accuracy = Test accuracy
epoch-progress = progress through the epoch
epoch-announcement = Epoch { $epoch } finished: test accuracy { $percent }%.

## Keyboard shortcuts

shortcuts-title = Keyboard shortcuts
key-space = Space
shortcut-train = Train, or pause while training
shortcut-step = Train on one batch
shortcut-clear = Clear the drawing
shortcut-previous-phase = Previous backprop phase
shortcut-next-phase = Next backprop phase
shortcut-projector = Projector mode on or off
shortcut-help = Show or hide this list
shortcuts-note = Shortcuts do nothing while you type in a field.
close = Close

## The trainer worker, seen from the page

trainer-unreachable = The trainer could not be reached ({ $reason }).
trainer-cannot-start = The trainer could not start ({ $reason }); this browser may not allow Web Workers.
unreadable-event = The page received a message from the trainer it cannot read ({ $reason }).
trainer-crashed-reload = The trainer stopped unexpectedly ({ $reason }). Reload the page: the run saved in this browser will be restored.
trainer-crashed-restarted = The trainer stopped unexpectedly ({ $reason }). It has restarted on the CPU with the run saved in this browser.
trainer-restarting = Restarting the trainer on the CPU…
downloaded = Downloaded { $name }: load it in PyTorch with load_state_dict, or back here.
download-failed = The download failed: { $reason }
no-model-description = no model yet

## Training controls and settings

train = Train
resume = Resume
train-again = Train again
pause = Pause
step = Step
step-title = train on one batch
reset = Reset
training-controls = training controls
settings-title = Settings
settings-defaults = Defaults are the article's network and training script.
settings-locked = Settings are fixed while a run exists. Press Reset to change them.
hint-hidden = comma-separated, e.g. 512,256,128
hint-train = empty = all 60,000
hint-test = empty = all 10,000
share-link = Link to these settings
share-fix-settings = fix the settings above to get a link

## Charts, log and results

loss-chart-title = Training loss per batch
legend-raw = raw
legend-smoothed = smoothed
chart-step = step { $step }
loss-summary-empty = No training loss yet.
loss-summary = Training loss over { $steps ->
        [one] 1 step
       *[other] { $steps } steps
    }: smoothed, it went from { $first } to { $last }; the lowest was { $lowest }.
accuracy-chart-title = Test accuracy per epoch
accuracy-point = epoch { $epoch }: { $percent }%
log-title = Log
log-label = training log
log-empty = Nothing yet: press Train.
confusion-title = Confusion matrix
confusion-hint = Rows: the true digit. Columns: what the network said. The diagonal is right.
confusion-hint-fashion = Rows: the true kind of clothing. Columns: what the network said. The diagonal is right.
confusion-corner = true \ said
confusion-cell = true { $truth }, said { $said }: { $count }
confusion-summary = { $right } of { $total } test images right. The most common mistake: { $truth } read as { $said }, { $count ->
        [one] once
       *[other] { $count } times
    }.
confusion-summary-perfect = All { $total } test images right.
after-first-epoch = Shown after the first epoch.
after-each-epoch = Shown after each epoch.
mistakes-title = Misclassified test digits
mistakes-title-fashion = Misclassified test images
mistake-caption = true { $truth }, said { $said }
mistake-label = test image { $index }: true { $truth }, said { $said }

## Drawing

draw-title = Draw a digit
draw-hint = Draw with the mouse, a finger or a pen. The network reads it as you draw.
canvas-label = drawing canvas
clear = Clear
undo-stroke = Undo stroke
network-sees = What the network sees (28×28)
input-label = the 28×28 input
draw-a-digit = draw a digit
prediction = Prediction
confidence = { $percent }% sure
latency-title = round trip to the trainer and back
bars-label = probability of each digit
predicting-with = Predicting with:
use-pretrained = Use pretrained model
wrong-click-digit = Wrong? Click the digit it should be:
label-as = label the drawing as { $digit }
my-digits-count = My digits ({ $count })
my-digit-label = my digit labelled { $digit }
added-to-my-digits = Added to my digits as a { $label }. Press Fine-tune to teach the network.
fine-tune = Fine-tune on my digits
fine-tuning = Fine-tuning…
clear-my-digits = Clear my digits
storage-unavailable = Browser storage is unavailable: my digits will not survive a reload.

## Profiler

profiler-title = Profiler
profile-forward = Forward + loss
profile-backward = Backward
profile-update = Optimizer update
profile-read = Reading results back
profile-speed = Images / s
profile-backend = Backend
profile-cost = One step in { $every } is split into its phases (each waited for); taking the sample costs about { $percent } % of training time here.
profile-waiting = Shown while training runs (one step in 50 is sampled).

## Export

export-title = Keep what the class saw
export-hint = Files named after this run's network and the time, made in this page.
export-losses = Loss per step (CSV)
export-epochs = Accuracy per epoch (CSV)
export-confusion = Confusion matrix (CSV)
export-log = Training log (text)
export-loss-svg = Loss chart (SVG)
export-loss-png = Loss chart (PNG)
export-weight-grid = First layer's weights (PNG)
export-weights-first = Scroll to the weight grid in “Inside the network” first: the weights are read while it is on screen.
weight-grid-title = What the first layer looks for: { $units } units, each 28×28; blue −{ $scale } … white 0 … red +{ $scale } (99 % of the weights within)
export-accuracy-svg = Accuracy chart (SVG)
export-accuracy-png = Accuracy chart (PNG)
exported = Saved { $name }.
export-failed = The file could not be made: { $reason }
export-after-epoch = The confusion matrix exists after the first epoch.

## Your model

weights-title = Your model
start-fresh = Start fresh
persistence-on = Kept in this browser after every epoch and on pause.
persistence-saved = Kept in this browser ({ $saved }).
persistence-off = Persistence is off: { $reason }. Training still works; download the weights to keep them.
download-weights = Download weights (.safetensors)
load-weights = Load weights…
drop-weights = …or drop a .safetensors file here (saved by this page, or by PyTorch with safetensors.torch.save_file(model.state_dict(), …))
pause-before-loading = Pause training before loading weights.
replaced = Replaced { $what }.
undo = Undo
debug-lose-gpu = Debug: simulate GPU loss
debug-crash = Debug: crash the trainer
recent-title = Recent models (kept in this browser)
recent-entry = { $when } — before “{ $because }”: step { $step }, epoch { $epoch }{ $accuracy } · { $settings }
recent-unreadable = { $when } — cannot be read: { $reason }
restore = Restore
download = Download

## Backpropagation, step by step

backprop-title = Backpropagation, step by step
phase-initialise = Initialise parameters
phase-forward = Forward propagation
phase-loss = Compute loss
phase-backward = Backpropagation
phase-update = Update parameters
phase-repeat = Repeat
test-digit-number = Test digit #
test-image-number = Test image #
use-my-drawing = Use my drawing
compute-live = Compute with the live weights
computing = computing…
input = input
previous = ← Previous
next = Next →
apply-copy = Apply one Adam step to a copy
apply-live = Apply it to the live model
applying = applying…
bp-placeholder = Choose a phase or press “Compute with the live weights” to run one training step of the live network on this sample.
bp-draw-first = Draw a digit first (it is labelled with the network's prediction).
bp-parameters-now = The network's parameters, as they are now (the seed fixes where they start):
bp-layer = layer
bp-w-shape = W shape (burn: in × out)
bp-first-weights = first weights
bp-each-layer = Each layer computes
bp-for-this-sample = {"."} For this sample:
bp-z-first = z: first values
bp-h-first = h = f(z): first values
values-count = { $count } values
bp-cross-entropy = cross-entropy
bp-row-of-unit = row of unit { $unit }
bp-relu-mask = The ReLU mask zeroes { $zeroed } of { $entries } entries of δ{ $layer }: units that were off in the forward pass pass no gradient back.
bp-check = { $name } = { $closed } (closed form) · autodiff { $autodiff } (|Δ| = { $gap }){ $fd }
bp-finite-difference = {" "}· finite difference { $value } (|Δ| = { $gap })
bp-adam-first-step = On its first step Adam moves every weight by about α, whatever the gradient's size; later steps use the running averages m and v.
bp-adam-moments = m and v are this run's running averages for this weight, read from its optimizer.
bp-uses-adam = This run uses Adam: its update is the one below.
bp-uses-sgd = This run uses SGD: its update is the first line.
bp-update-intro = For the weight { $name }, with g = ∂L/∂w from step 4 and the run's learning rate α = { $alpha }. { $which }
bp-repeat = Training repeats steps 2–5 for every batch: forward, loss, backward, update. One pass over the training set is an epoch; the charts above show the loss falling as this loop runs.

## The worked example

example-title = The worked example: one sigmoid neuron
example-intro-before = Change any value; every line recomputes. (The article this project started from printed{" "}
example-intro-after = {" "}— that sign is wrong: following it climbs the loss instead of descending it. The correct gradient is below.)
example-fix-value = Fix the highlighted value to see the derivation.
example-repeat = Repeat the update (10 more steps)
example-plot-label = loss over repeated updates
example-after-updates = After { $updates } updates: L = { $right } with the correct sign (blue), L = { $wrong } following the article's sign (red).
example-range = use a number between −1,000,000 and 1,000,000
example-plot-max = L max { $value }

## The network view
network-title = Inside the network
network-diagram = The network, layer by layer
hidden-layer = Hidden layer { $number }
hidden-layer-size = Hidden layer { $number }: { $size } units
outputs = Outputs
tiles-title = What the first layer looks for
tiles-explained = Each tile is one unit of the first layer: its 784 incoming weights laid out as the 28×28 image they multiply. Red pixels raise the unit's output where there is ink, blue ones lower it, white is 0. One colour scale for all tiles: ±{ $scale } (99 % of the weights lie within it; the few larger ones are drawn at full colour).
tiles-waiting = The weights appear here once a model is loaded.
tiles-click = Click a tile to see that unit large, with its bias and what it makes of your drawing.
unit-large = The selected unit's weights, large
unit-facts = Unit { $unit }: bias { $bias }; its output for your drawing (after ReLU): { $activation }
unit-facts-no-drawing = Unit { $unit }: bias { $bias }. Draw a digit to see its output.
activations-title = What each layer makes of the image
activations-explained = Every cell is one unit's output for the drawing, after the activation function. Grey cells are exactly 0: ReLU switched those units off. Colours use each layer's own scale (red high, blue below zero).
activations-waiting = Draw a digit in the drawing panel to see every layer's output.
inspecting-drawing = Showing: your drawing.
inspecting-test-image = Showing: test image { $index } (true class: { $class }).
show-test-image = Show a test image instead
next-test-image = Next test image
activations-hover = Point at a cell, or focus a layer and use the arrow keys, to read its value.
activation-strip-label = Outputs of hidden layer { $layer }
activation-value = Hidden layer { $layer }, unit { $unit }: { $value }

## Fashion-MNIST
setting-dataset = Dataset
field-dataset = choose mnist or fashion
dataset-mnist = MNIST (handwritten digits)
dataset-fashion = Fashion-MNIST (clothes)
dataset-choice = Learn from
dataset-switch-note = Switching reloads the page; the current run is kept among the recent models.
because-other-dataset = Trained on the other dataset
run-other-dataset = This model learnt from { $dataset }; open the page with that dataset to continue it (it is kept among the recent models).
teach-back-digits-only = Teaching drawings back works with MNIST's digits only.
train-first-no-pretrained = Fashion-MNIST has no pretrained model: press Train, and the drawing panel predicts with the model you are training.
drawing-fashion-note = The model learns clothes here, not digits: a drawing is read as one of the ten kinds of clothing.
fashion-tshirt = T-shirt/top
fashion-trouser = Trouser
fashion-pullover = Pullover
fashion-dress = Dress
fashion-coat = Coat
fashion-sandal = Sandal
fashion-shirt = Shirt
fashion-sneaker = Sneaker
fashion-bag = Bag
fashion-ankle-boot = Ankle boot
