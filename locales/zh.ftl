# Backprop Playground — 简体中文。每个 id 都必须与 en.ftl 一致，参数也相同（由 tests/native/i18n.rs 检查）。
# 种子脚本的日志行（“Train Epoch: …”）保持原文，不翻译。

## Small pieces

empty = {""}
verbatim = { $text }
list-joined = { $first }；{ $rest }
accuracy-suffix = ，测试准确率 { $percent }%
percent-suffix = ，{ $percent }%

## The models the page predicts with

model-pretrained = 预训练模型（{ $epochs } 轮{ $accuracy }）
model-trained-here = 在本页训练的模型（{ $steps } 步，第 { $epoch } / { $epochs } 轮{ $accuracy }）
model-uploaded = 上传的 { $name }（{ $epochs } 轮{ $accuracy }）
pretrained-not-downloaded = 预训练模型无法下载（{ $reason }）；请在这里训练一个。
pretrained-damaged = 预训练模型已损坏（{ $reason }）；请在这里训练一个。
pretrained-not-loaded = 预训练模型尚未加载。
using-pretrained = 现在使用预训练模型；点“训练”会在它的基础上继续训练。

## Training

not-ready-yet = 数据或计算后端还没有准备好。
fix-settings-first = 请先修正设置：{ $problems }
diverged = 训练已停止：第 { $step } 步的损失变成了 { $loss }（学习率可能太大）。已保留出错前第 { $restored_step } 步的权重。
read-failed = 从设备读取结果失败：{ $reason }。模型已保留；请点“继续”重试。
evaluation-failed = 评估失败：{ $reason }
data-failed = MNIST 数据无法加载：{ $reason }
data-not-loaded = 数据尚未加载。
data-not-loaded-sentence = 数据尚未加载。
data-not-loaded-reason = 数据尚未加载
unreadable-command = 训练器收到一条无法读取的消息（{ $reason }）。
no-model-yet = 还没有模型。

## Saving in this browser, recent models, undo

persistence-unreadable-weights = 无法读取权重以保存（{ $reason }）
persistence-recent-failed = 最近的模型无法存储（{ $reason }）；关闭本页之前它们仍会保留
snapshot-described = 保存于 { $time }，第 { $epoch } 轮，第 { $step } 步{ $accuracy }
restored-from-browser = 已从本浏览器恢复模型（{ $saved }）。
restored-from-other-tab = 已恢复另一个标签页在本浏览器中最新保存的训练进度（{ $saved }）；本标签页训练它自己的副本。
restored-with-note = { $note } 注意：{ $why }。
saved-run-unreadable = 本浏览器中保存的训练进度无法读取（{ $reason }）。它被保留在“最近的模型”中，本标签页重新开始。{ $download }
saved-run-weights-downloadable = 它的权重仍可从“最近的模型”下载。
saved-run-not-restored = 本浏览器中保存的训练进度无法恢复（{ $reason }）；重新开始。
keep-current-failed = 无法读取当前模型来保留它（{ $reason }）。
snapshot-newer = 由更新版本的页面保存（格式 { $format }；本页能读取格式 { $oldest } 到 { $newest }）
snapshot-adam-afresh = 优化器状态无法恢复（{ $reason }）；Adam 从头开始
record-without-model = 保存的记录里没有模型
record-unreadable-details = 训练记录的详细信息无法读取（{ $detail }）
storage-none = 这个浏览器没有提供 IndexedDB
storage-blocked = IndexedDB 被禁用了（{ $detail }）
storage-refused = IndexedDB 拒绝打开（{ $detail }）
storage-request-failed = 存储请求失败
storage-write-failed = 写入存储失败
storage-failed-detail = { $what }（{ $detail }）
recent-settings = { $sizes }，{ $optimizer }，学习率 { $lr }，批次 { $batch }，{ $dataset }
because-new-run = 上一次训练结束后开始了新的训练
because-diverged = 损失发散：这是最后一组正常的权重
because-recent-restored = 恢复了一个最近的模型
because-reset = 重置
because-use-pretrained = 使用预训练模型
because-load-weights = 加载权重（{ $name }）
undo-offer = “{ $because }”之前的模型（{ $steps } 步）
nothing-to-undo = 没有可以撤销的操作。
recent-gone = 那个模型已经不再保留。
restored-recent = 已恢复“{ $because }”之前保留的模型（第 { $epoch } 轮，第 { $step } 步）。
recent-not-restored = 那个模型无法恢复（{ $reason }）；当前模型保持不变。

## Weights files

weights-not-loaded = “{ $name }”未加载：{ $reason } 你当前的模型没有改变。
weights-loaded = 已加载“{ $name }”。可以在它的基础上继续训练，或者画一个数字。
sentence = { $text }。
weights-too-large = 文件大小为 { $size } MB；超过 { $max } MB 的权重文件不予接受
weights-header-too-large = safetensors 文件头声称有 { $bytes } 字节；超过 100 MB 的文件头不予接受
weights-not-safetensors = 不是有效的 safetensors 文件（{ $reason }）
weights-missing-tensor = 缺少张量 `{ $name }`
weights-unexpected-tensor = 文件中有这个网络没有的张量 `{ $name }`（应为 fc1…fcN 的权重和偏置）
weights-wrong-dtype = `{ $name }` 的类型是 { $found }；应为 float32（F32）
weights-wrong-shape = `{ $name }` 的形状是 { $found }；应为 { $expected }
weights-non-finite = `{ $name }` 含有 NaN 或无穷大的值
weights-bad-architecture = 不支持的网络：{ $reason }
download-no-model = 下载失败：还没有模型，请先训练或加载一个。
download-unreadable = 下载失败：无法读取权重（{ $reason }）

## Drawing and teaching it back

drawing-wrong-size = 一幅图必须是 28×28 = { $expected } 个像素，收到的是 { $got } 个。
model-still-loading = 模型仍在加载…
prediction-failed = 预测失败：{ $reason }
weight-tiles-failed = 无法读取第一层的权重：{ $reason }
label-first = 请先给这幅图加上标签：点击它应该是的那个数字。
label-not-digit = 有一个标签不是数字。
my-digits-unreadable = “我的数字”无法读取：{ $reason }
fine-tuned = 微调完成：用 { $count } 个“我的数字”混合 MNIST 训练了 { $steps } 步（最后的损失为 { $loss }）。
draw-first = 请先画一个数字。

## The backprop stepper (trainer side)

backprop-waiting = 正在等待数据和模型…
backprop-no-test-images = 没有测试图像。
backprop-compute-first = 请先计算数值（选择一个阶段）。
backprop-model-changed = 这些数值计算之后模型已经改变；现在显示的是当前模型的数值。请再按一次来应用。
backprop-no-live-run = 请先训练或单步训练一次，这样才有正在进行的训练可以更新。
applied-live = 已应用到正在训练的模型（它的优化器状态继续保留）：w 从 { $before } 变为 { $after }。
applied-copy = 已应用到一个副本（{ $optimizer }，使用本次训练的状态）：burn 把 w 从 { $before } 更新为 { $after }；上面写出的这一步给出 { $expected }（|Δ| = { $gap }）{ $tick }

## Backends

backend-cpu = CPU（wasm）
backend-webgpu = WebGPU — { $adapter }
backend-webgpu-software = WebGPU — { $adapter }（软件适配器）
backend-chosen-cpu = 由 ?backend=cpu 选择
backend-chosen-webgpu = 由 ?backend=webgpu 选择
backend-hardware = 硬件 GPU 适配器
backend-looking = 正在寻找 WebGPU 适配器…
backend-setting-up = 正在设置 WebGPU…
backend-timing-background = 先在 CPU 路径上训练，同时在后台为软件适配器“{ $adapter }”上的 WebGPU 计时
backend-no-navigator-gpu = 这个浏览器没有为训练器的 Worker 提供 WebGPU（那里没有 navigator.gpu）
backend-no-adapter = 浏览器没有提供 WebGPU 适配器
backend-setup-failed = WebGPU 设置失败：{ $reason }
backend-no-webgpu = { $reason }；改为在 CPU 上训练
backend-measured-gpu = 实测：WebGPU 每秒 { $gpu } 张图像，CPU 每秒 { $cpu } 张
backend-measured-cpu = 实测：CPU 每秒 { $cpu } 张图像，软件适配器“{ $adapter }”上的 WebGPU 每秒 { $gpu } 张
backend-gpu-failed-measuring = WebGPU 在计时中出错（{ $reason }）；改为在 CPU 上训练
backend-cpu-failed-measuring = CPU 路径在计时中出错（{ $reason }）
backend-after-gpu-loss = GPU 失效后已切换到 CPU；重新加载页面可以再次尝试 WebGPU
gpu-lost-restored = GPU 停止工作了（{ $reason }）。训练已用最后保存的权重（第 { $step } 步，第 { $epoch } 轮）转到 CPU；点“继续”接着训练。
gpu-lost-fresh = GPU 在保存任何权重之前就停止工作了（{ $reason }）。训练已转到 CPU，重新开始。
debug-devices-destroyed = 调试：销毁了 { $count } 个 WebGPU 设备。

## Memory budget

budget-cpu = wasm 中的 CPU 路径
budget-webgpu = 这个 WebGPU 适配器
budget-too-big = 这个网络训练大约需要 { $needed }（{ $parameters } 个参数：它们的各份副本——权重、梯度、{ $optimizer ->
        [adam] Adam 的矩估计、
       *[other] {""}
    }最后一组正常的权重和一个快照——占 { $parameter_bytes }；一个 { $batch } 张图像的批次占 { $activation_bytes }），超过了 { $device } 允许的 { $allowed }。请减少隐藏层的数量或宽度，或者使用更小的批次。
budget-tensor-too-big = 这个网络的一个张量将占 { $needed }，超过了 { $device } 上单个缓冲区能容纳的 { $allowed }。请减少隐藏层的数量或宽度，或者使用更小的批次。

## Settings

setting-hidden = 隐藏层大小
setting-activation = 激活函数
setting-optimizer = 优化器
setting-lr = 学习率
setting-batch = 批次大小
setting-epochs = 训练轮数
setting-seed = 初始权重的随机种子
setting-train = 训练图像数
setting-test = 测试图像数
setting-backend = 计算后端
field-problem = { $field }——{ $problem }
field-required = 必填
field-not-whole = “{ $value }”不是整数
field-between = 必须在 { $min } 到 { $max } 之间
field-not-number = “{ $value }”不是数字
field-lr-range = 必须是大于 0 且不超过 100 的数
field-seed = “{ $value }”不是 ≥ 0 的整数
field-hidden = 请给出 1 到 { $max } 个用逗号分隔的大小，例如 512,256,128
field-activation = 请选择 relu、sigmoid 或 tanh
field-optimizer = 请选择 adam 或 sgd
field-backend = 请选择 auto、cpu 或 webgpu

## The page: header, status, progress

page-title = Backprop Playground · 反向传播演练场
tagline = 在浏览器里用 MNIST 训练一个真正的神经网络，看着它学习。
tagline-fashion = 在浏览器里用 Fashion-MNIST（服装图片）训练一个真正的神经网络，看着它学习。
skip-to-content = 跳到训练区
language = 语言
projector-mode = 投影模式
shortcuts-button = 键盘快捷键（?）
backend-after-download = 下载完成后选择计算后端
choosing-backend = 正在选择计算后端…
offline-copy = 正在使用本浏览器中保存的副本运行：你已离线，这里的一切仍然可用。
dismiss = 关闭
retry-download = 重新下载
other-tabs-training = 本页的另外 { $count } 个标签页也在训练：它们共用这台电脑。
dataset-sizes = { $train } 张训练图像 / { $test } 张测试图像
training-view = 训练
more-panels = 设置、你的模型、日志、结果、逐步反向传播和例题
footer-network = 网络：
footer-privacy = 一切都在这个标签页里运行，不会向任何地方发送数据。
link-settings-ignored = 链接里的部分设置被忽略了（{ $problems }）；这些设置使用默认值。
status-downloading-of = 正在下载 MNIST：{ $loaded } / { $total } MB（{ $percent }%）
status-downloading = 正在下载 MNIST：{ $loaded } MB
status-data-failed = 数据无法加载。
status-ready = 准备就绪：请点“训练”。
status-training = 正在训练…
status-paused = 已暂停。
status-evaluating = 正在测试图像上评估…
status-finished = 已完成。
status-diverged = 已停止：损失发散了。
download-progress = 下载进度
progress = 进度
metric-epoch = 轮次
metric-batch = 批次
metric-images-per-second = 图像/秒
metric-test-accuracy = 测试准确率
epoch-progress = 本轮进度
epoch-announcement = 第 { $epoch } 轮完成：测试准确率 { $percent }%。

## Keyboard shortcuts

shortcuts-title = 键盘快捷键
key-space = 空格
shortcut-train = 训练；训练中则暂停
shortcut-step = 用一个批次训练一步
shortcut-clear = 清除画板
shortcut-previous-phase = 反向传播的上一个阶段
shortcut-next-phase = 反向传播的下一个阶段
shortcut-projector = 打开或关闭投影模式
shortcut-help = 显示或隐藏这个列表
shortcuts-note = 在输入框中打字时，快捷键不起作用。
close = 关闭

## The trainer worker, seen from the page

trainer-unreachable = 无法连接训练器（{ $reason }）。
trainer-cannot-start = 训练器无法启动（{ $reason }）；这个浏览器可能不允许使用 Web Worker。
unreadable-event = 页面收到一条来自训练器、无法读取的消息（{ $reason }）。
trainer-crashed-reload = 训练器意外停止了（{ $reason }）。请重新加载页面：本浏览器中保存的训练进度会被恢复。
trainer-crashed-restarted = 训练器意外停止了（{ $reason }）。它已经用本浏览器中保存的训练进度在 CPU 上重新启动。
trainer-restarting = 正在 CPU 上重新启动训练器…
downloaded = 已下载 { $name }：可以在 PyTorch 中用 load_state_dict 加载，也可以加载回这里。
download-failed = 下载失败：{ $reason }
no-model-description = 还没有模型

## Training controls and settings

train = 训练
resume = 继续
train-again = 再训练一次
pause = 暂停
step = 单步
step-title = 用一个批次训练一步
reset = 重置
training-controls = 训练控制
settings-title = 设置
settings-defaults = 默认值就是文章中的网络和训练脚本。
settings-locked = 已有训练时设置不可更改；如需修改，请点“重置”。
hint-hidden = 用逗号分隔，例如 512,256,128
hint-train = 留空 = 全部 60,000 张
hint-test = 留空 = 全部 10,000 张
share-link = 指向这些设置的链接
share-fix-settings = 请先修正上面的设置，才能得到链接

## Charts, log and results

loss-chart-title = 每个批次的训练损失
legend-raw = 原始
legend-smoothed = 平滑
chart-step = 第 { $step } 步
loss-summary-empty = 还没有训练损失。
loss-summary = { $steps } 步的训练损失：平滑后从 { $first } 变为 { $last }；最低为 { $lowest }。
accuracy-chart-title = 每轮的测试准确率
accuracy-point = 第 { $epoch } 轮：{ $percent }%
log-title = 日志
log-label = 训练日志
log-empty = 还没有内容：请点“训练”。
confusion-title = 混淆矩阵
confusion-hint = 行：真实的数字。列：网络给出的答案。对角线上是答对的。
confusion-hint-fashion = 行：真实的服装类别。列：网络给出的答案。对角线上是答对的。
confusion-corner = 真实 \ 预测
confusion-cell = 真实 { $truth }，预测 { $said }：{ $count }
confusion-summary = { $total } 张测试图像中答对 { $right } 张。最常见的错误：把 { $truth } 认成 { $said }，共 { $count } 次。
confusion-summary-perfect = { $total } 张测试图像全部答对。
after-first-epoch = 第一轮结束后显示。
after-each-epoch = 每轮结束后显示。
mistakes-title = 分类错误的测试数字
mistakes-title-fashion = 分类错误的测试图片
mistake-caption = 真实 { $truth }，预测 { $said }
mistake-label = 测试图像 { $index }：真实 { $truth }，预测 { $said }

## Drawing

draw-title = 画一个数字
draw-hint = 用鼠标、手指或笔来画。你一边画，网络一边识别。
canvas-label = 画板
clear = 清除
undo-stroke = 撤销一笔
network-sees = 网络看到的（28×28）
input-label = 28×28 的输入
draw-a-digit = 画一个数字
prediction = 预测
confidence = 置信度 { $percent }%
latency-title = 到训练器的往返时间
bars-label = 每个数字的概率
predicting-with = 用于预测的模型：
use-pretrained = 使用预训练模型
wrong-click-digit = 认错了？点击它应该是的数字：
label-as = 将这幅图标注为 { $digit }
my-digits-count = 我的数字（{ $count }）
my-digit-label = 标为 { $digit } 的我的数字
added-to-my-digits = 已作为 { $label } 加入“我的数字”。点“微调”来教网络。
fine-tune = 用我的数字微调
fine-tuning = 正在微调…
clear-my-digits = 清除我的数字
storage-unavailable = 浏览器存储不可用：重新加载后“我的数字”不会保留。

## Profiler

profiler-title = 性能分析
profile-forward = 前向传播 + 损失
profile-backward = 反向传播
profile-update = 优化器更新
profile-read = 读回结果
profile-speed = 图像/秒
profile-backend = 计算后端
profile-cost = 每 { $every } 步中取一步按阶段拆分计时（每个阶段都等待完成）；在这里，采样大约占训练时间的 { $percent }%。
profile-waiting = 训练时显示（每 50 步采样一步）。

## Export

export-title = 保存课堂上看到的内容
export-hint = 文件按本次训练的网络和时间命名，在本页中生成。
export-losses = 每步的损失（CSV）
export-epochs = 每轮的准确率（CSV）
export-confusion = 混淆矩阵（CSV）
export-log = 训练日志（文本）
export-loss-svg = 损失曲线图（SVG）
export-loss-png = 损失曲线图（PNG）
export-weight-grid = 第一层的权重（PNG）
export-weights-first = 请先滚动到“网络内部”中的权重网格：只有它显示在屏幕上时才会读取权重。
weight-grid-title = 第一层在寻找什么：{ $units } 个单元，每个 28×28；蓝 −{ $scale } … 白 0 … 红 +{ $scale }（99% 的权重在此范围内）
export-accuracy-svg = 准确率曲线图（SVG）
export-accuracy-png = 准确率曲线图（PNG）
exported = 已保存 { $name }。
export-failed = 无法生成文件：{ $reason }
export-after-epoch = 第一轮结束后才有混淆矩阵。

## Your model

weights-title = 你的模型
start-fresh = 重新开始
persistence-on = 每轮结束和暂停时保存在本浏览器中。
persistence-saved = 已保存在本浏览器中（{ $saved }）。
persistence-off = 保存功能已关闭：{ $reason }。训练仍然可以进行；请下载权重来保留它们。
download-weights = 下载权重（.safetensors）
load-weights = 加载权重…
drop-weights = …或者把 .safetensors 文件拖到这里（由本页保存，或由 PyTorch 用 safetensors.torch.save_file(model.state_dict(), …) 保存）
pause-before-loading = 加载权重之前请先暂停训练。
replaced = 已替换{ $what }。
undo = 撤销
debug-lose-gpu = 调试：模拟 GPU 丢失
debug-crash = 调试：让训练器崩溃
recent-title = 最近的模型（保存在本浏览器中）
recent-entry = { $when } —“{ $because }”之前：第 { $step } 步，第 { $epoch } 轮{ $accuracy } · { $settings }
recent-unreadable = { $when } — 无法读取：{ $reason }
restore = 恢复
download = 下载

## Backpropagation, step by step

backprop-title = 逐步演示反向传播
phase-initialise = 初始化参数
phase-forward = 前向传播
phase-loss = 计算损失
phase-backward = 反向传播
phase-update = 更新参数
phase-repeat = 重复
test-digit-number = 测试数字编号
test-image-number = 测试图片编号
use-my-drawing = 使用我画的数字
compute-live = 用当前权重计算
computing = 正在计算…
input = 输入
previous = ← 上一步
next = 下一步 →
apply-copy = 在副本上执行一步 Adam 更新
apply-live = 应用到正在训练的模型
applying = 正在应用…
bp-placeholder = 选择一个阶段，或点“用当前权重计算”，在这个样本上执行当前网络的一步训练。
bp-draw-first = 请先画一个数字（它会以网络的预测作为标签）。
bp-parameters-now = 网络当前的参数（随机种子决定了它们的初始值）：
bp-layer = 层
bp-w-shape = W 的形状（burn：输入 × 输出）
bp-first-weights = 前几个权重
bp-each-layer = 每一层计算
bp-for-this-sample = 。对这个样本：
bp-z-first = z：前几个值
bp-h-first = h = f(z)：前几个值
values-count = 共 { $count } 个值
bp-cross-entropy = 交叉熵
bp-row-of-unit = 单元 { $unit } 的那一行
bp-relu-mask = ReLU 掩码把 δ{ $layer } 的 { $entries } 个分量中的 { $zeroed } 个置零：前向传播中没有激活的单元不会把梯度传回去。
bp-check = { $name } = { $closed }（解析解）· 自动微分 { $autodiff }（|Δ| = { $gap }）{ $fd }
bp-finite-difference = {" "}· 有限差分 { $value }（|Δ| = { $gap }）
bp-adam-first-step = 在第一步，无论梯度大小，Adam 都会把每个权重移动大约 α；之后的步骤使用指数移动平均 m 和 v。
bp-adam-moments = m 和 v 是本次训练中这个权重的指数移动平均（矩估计），从它的优化器中读出。
bp-uses-adam = 本次训练使用 Adam：它的更新是下面这几行。
bp-uses-sgd = 本次训练使用 SGD：它的更新是第一行。
bp-update-intro = 对权重 { $name }，用第 4 步得到的 g = ∂L/∂w 和本次训练的学习率 α = { $alpha }。{ $which }
bp-repeat = 训练对每个批次重复第 2–5 步：前向传播、计算损失、反向传播、更新参数。遍历一次训练集称为一轮（epoch）；上面的图表显示了这个循环运行时损失的下降。

## The worked example

example-title = 例题：一个 sigmoid 神经元
example-intro-before = 修改任意一个值，每一行都会重新计算。（本项目所依据的文章给出的是{" "}
example-intro-after = {" "}——这个符号是错的：照着它做，损失会上升而不是下降。正确的梯度见下文。）
example-fix-value = 修正标出的值才能看到推导。
example-repeat = 重复更新（再走 10 步）
example-plot-label = 重复更新时的损失
example-after-updates = 更新 { $updates } 次之后：用正确的符号 L = { $right }（蓝色），按文章的符号 L = { $wrong }（红色）。
example-range = 请使用 −1,000,000 到 1,000,000 之间的数
example-plot-max = L 最大值 { $value }

## The network view
network-title = 网络内部
network-diagram = 网络结构，逐层展示
hidden-layer = 隐藏层 { $number }
hidden-layer-size = 隐藏层 { $number }：{ $size } 个单元
outputs = 输出
tiles-title = 第一层在寻找什么
tiles-explained = 每个小方块是第一层的一个单元：它的 784 个输入权重按所乘的 28×28 图像排列。红色像素在有笔画处提高该单元的输出，蓝色降低，白色为 0。所有方块共用一个色标：±{ $scale }（99% 的权重在此范围内，少数更大的权重以最深的颜色显示）。
tiles-waiting = 模型加载后，权重会显示在这里。
tiles-click = 点击一个方块，放大查看该单元，以及它的偏置和它对你的手写数字的输出。
unit-large = 所选单元的权重（放大）
unit-facts = 单元 { $unit }：偏置 { $bias }；它对你的手写数字的输出（ReLU 之后）：{ $activation }
unit-facts-no-drawing = 单元 { $unit }：偏置 { $bias }。写一个数字即可看到它的输出。
activations-title = 每一层如何理解这张图像
activations-explained = 每个格子是一个单元对这个数字的输出（经过激活函数之后）。灰色格子恰好为 0：ReLU 关闭了这些单元。颜色按每层自己的色标（红色高，蓝色小于零）。
activations-waiting = 在手写面板中写一个数字，即可看到每一层的输出。
inspecting-drawing = 当前显示：你的手写数字。
inspecting-test-image = 当前显示：测试图像 { $index }（真实类别：{ $class }）。
show-test-image = 改为显示一张测试图像
next-test-image = 下一张测试图像
activations-hover = 指向一个格子，或聚焦某一层后用方向键，即可读出它的值。
activation-strip-label = 隐藏层 { $layer } 的输出
activation-value = 隐藏层 { $layer }，单元 { $unit }：{ $value }

## Fashion-MNIST
setting-dataset = 数据集
field-dataset = 请选择 mnist 或 fashion
dataset-mnist = MNIST（手写数字）
dataset-fashion = Fashion-MNIST（服饰）
dataset-choice = 学习的数据
dataset-switch-note = 切换会重新加载页面；当前的训练会保存在最近的模型中。
because-other-dataset = 在另一个数据集上训练
run-other-dataset = 这个模型学习的是 { $dataset }；请用该数据集打开页面以继续训练（它已保存在最近的模型中）。
teach-back-digits-only = 把手写图教回给模型只适用于 MNIST 数字。
train-first-no-pretrained = Fashion-MNIST 没有预训练模型：请按“训练”，手写面板会用你正在训练的模型进行预测。
drawing-fashion-note = 这里模型学习的是服饰，而不是数字：你画的图会被识别为十类服饰之一。
fashion-tshirt = T 恤/上衣
fashion-trouser = 裤子
fashion-pullover = 套头衫
fashion-dress = 连衣裙
fashion-coat = 外套
fashion-sandal = 凉鞋
fashion-shirt = 衬衫
fashion-sneaker = 运动鞋
fashion-bag = 包
fashion-ankle-boot = 短靴
