<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AlertCenter</name>
    <message>
        <source>event of type &quot;%1&quot;: %2</source>
        <translation>类型为“%1”的事件：%2</translation>
    </message>
    <message>
        <source>id %1 followed id %2 (%3 missing)</source>
        <translation>ID %2 之后是 ID %1（缺少 %3 个）</translation>
    </message>
    <message>
        <source>%1 reconnects within %2 s; last: %3</source>
        <translation>%2 秒内重连 %1 次；最近一次：%3</translation>
    </message>
    <message>
        <source>heartbeats only for %1 s</source>
        <translation>%1 秒内只有心跳</translation>
    </message>
    <message>
        <source>no data for %1 s</source>
        <translation>%1 秒内没有数据</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>AlertListModel</name>
    <message>
        <source>event at %1</source>
        <translation>%1 的事件</translation>
    </message>
    <message>
        <source>id %1 at %2</source>
        <translation>ID %1，%2</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
</context>
<context>
    <name>AlertRule</name>
    <message>
        <source>match: %1</source>
        <translation>匹配：%1</translation>
    </message>
    <message>
        <source>stall &gt; %1 s</source>
        <translation>停滞 &gt; %1 秒</translation>
    </message>
    <message>
        <source>reconnects &gt; %1 in %2 s</source>
        <translation>%2 秒内重连 &gt; %1 次</translation>
    </message>
    <message>
        <source>id gap</source>
        <translation>ID 缺口</translation>
    </message>
    <message>
        <source>connection failed</source>
        <translation>连接失败</translation>
    </message>
    <message>
        <source>a match rule needs a filter expression</source>
        <translation>匹配规则需要一个过滤表达式</translation>
    </message>
    <message>
        <source>seconds must be from 1 to %1</source>
        <translation>秒数必须在 1 到 %1 之间</translation>
    </message>
    <message>
        <source>the count must be from 0 to %1</source>
        <translation>次数必须在 0 到 %1 之间</translation>
    </message>
    <message>
        <source>at most one alert per %1 s</source>
        <translation>每 %1 秒最多一条警报</translation>
    </message>
    <message>
        <source>every occurrence</source>
        <translation>每次发生都报警</translation>
    </message>
    <message>
        <source>the rate limit must be from 0 to %1 seconds</source>
        <translation>限流必须在 0 到 %1 秒之间</translation>
    </message>
</context>
<context>
    <name>AlertsPane</name>
    <message>
        <source>Raised alerts</source>
        <translation>已触发的警报</translation>
    </message>
    <message>
        <source>Alert rules of the connection</source>
        <translation>该连接的警报规则</translation>
    </message>
    <message>
        <source>Event matches</source>
        <translation>事件匹配</translation>
    </message>
    <message>
        <source>Stall longer than</source>
        <translation>停滞超过</translation>
    </message>
    <message>
        <source>Reconnects more than</source>
        <translation>重连超过</translation>
    </message>
    <message>
        <source>Id gap</source>
        <translation>ID 缺口</translation>
    </message>
    <message>
        <source>Connection failed</source>
        <translation>连接失败</translation>
    </message>
    <message>
        <source>Rule kind</source>
        <translation>规则类型</translation>
    </message>
    <message>
        <source>Rule expression or seconds</source>
        <translation>规则表达式或秒数</translation>
    </message>
    <message>
        <source>Reconnects</source>
        <translation>重连次数</translation>
    </message>
    <message>
        <source>Add Rule</source>
        <translation>添加规则</translation>
    </message>
    <message>
        <source>Remove Rule</source>
        <translation>删除规则</translation>
    </message>
    <message>
        <source>Rules of this connection (saved with it):</source>
        <translation>该连接的规则（随连接保存）：</translation>
    </message>
    <message>
        <source>Filter, e.g. type == &quot;alarm&quot; &amp;&amp; data.level &gt; 2</source>
        <translation>过滤器，例如 type == &quot;alarm&quot; &amp;&amp; data.level &gt; 2</translation>
    </message>
    <message>
        <source>Seconds</source>
        <translation>秒</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>learn from the stream</source>
        <translation>从流中学习</translation>
    </message>
    <message>
        <source>Stalled after</source>
        <translation>停滞判定时间</translation>
    </message>
    <message>
        <source>Health: stalled after</source>
        <translation>健康状况：停滞判定时间</translation>
    </message>
    <message>
        <source>Double-click an alert (or press Enter) to show its event in the event log</source>
        <translation>双击警报（或按 Enter）即可在事件日志中显示其事件</translation>
    </message>
    <message>
        <source>This alert is not about one event (%1)</source>
        <translation>此警报不针对某一个事件（%1）</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>不限制</translation>
    </message>
    <message>
        <source>Rate limit: at most one alert per</source>
        <translation>限流：最多每</translation>
    </message>
    <message>
        <source>At most one alert of the rule in this many seconds (0: every occurrence). Applies to the rule selected in the list, or to the next rule added.</source>
        <translation>在这么多秒内该规则最多触发一条警报（0：每次发生都报警）。作用于列表中选中的规则，或下一条添加的规则。</translation>
    </message>
    <message>
        <source>%1 further alerts held back by the rules&apos; rate limits</source>
        <translation>另有 %1 条警报因规则的限流被暂缓</translation>
    </message>
</context>
<context>
    <name>AppTheme</name>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;System</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>浅色(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
</context>
<context>
    <name>CertificateMessages</name>
    <message>
        <source>cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>%1 is larger than 1 MiB: not a certificate or key file</source>
        <translation>%1 大于 1 MiB：不是证书或密钥文件</translation>
    </message>
    <message>
        <source>%1 is not a PKCS#12 file with a certificate and a key, or the password is wrong</source>
        <translation>%1 不是包含证书和密钥的 PKCS#12 文件，或者密码错误</translation>
    </message>
    <message>
        <source>%1 holds no PEM certificate</source>
        <translation>%1 中没有 PEM 证书</translation>
    </message>
    <message>
        <source>the private key in %1 is encrypted and the passphrase is missing or wrong</source>
        <translation>%1 中的私钥已加密，但口令缺失或错误</translation>
    </message>
    <message>
        <source>%1 holds no PEM private key</source>
        <translation>%1 中没有 PEM 私钥</translation>
    </message>
</context>
<context>
    <name>ChartPanel</name>
    <message>
        <source>Filter series</source>
        <translation>筛选序列</translation>
    </message>
    <message>
        <source>Tick a series to plot it</source>
        <translation>勾选序列即可绘制</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Freeze the chart; recording continues</source>
        <translation>冻结图表；数据采集照常进行</translation>
    </message>
    <message>
        <source>Reset zoom</source>
        <translation>重置缩放</translation>
    </message>
    <message>
        <source>Automatic ranges; follow the stream again</source>
        <translation>自动范围；重新跟随数据流</translation>
    </message>
    <message numerus="yes">
        <source>%n s</source>
        <translation>
            <numerusform>%n 秒</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Last %n points</source>
        <translation>
            <numerusform>最近 %n 个点</numerusform>
        </translation>
    </message>
    <message>
        <source> (right)</source>
        <comment>series on the right-hand axis</comment>
        <translation>（右轴）</translation>
    </message>
    <message>
        <source>Series</source>
        <translation>序列</translation>
    </message>
    <message>
        <source>Time window</source>
        <translation>时间窗口</translation>
    </message>
    <message>
        <source>Chart</source>
        <translation>图表</translation>
    </message>
    <message>
        <source>Drag a rectangle to zoom in; right-click to zoom out</source>
        <translation>拖出矩形区域放大；右键单击缩小</translation>
    </message>
    <message>
        <source>&amp;Window:</source>
        <translation>窗口(&amp;W)：</translation>
    </message>
    <message>
        <source>No numeric fields seen yet. Series appear in the list as events with numbers arrive.</source>
        <translation>尚未看到数值字段。包含数字的事件到达后，序列会出现在列表中。</translation>
    </message>
    <message>
        <source>Tick a series in the list to plot it.</source>
        <translation>在列表中勾选一个序列以绘制它。</translation>
    </message>
    <message>
        <source>No values yet for %1. They appear as events arrive.</source>
        <translation>%1 尚无数值。事件到达后即会显示。</translation>
    </message>
    <message>
        <source>Only matching events feed the chart, e.g. type == &quot;trade&quot;</source>
        <translation>只有匹配的事件进入图表，例如 type == &quot;trade&quot;</translation>
    </message>
    <message>
        <source>Chart filter</source>
        <translation>图表筛选器</translation>
    </message>
    <message>
        <source>Chart filter:</source>
        <translation>图表筛选：</translation>
    </message>
    <message>
        <source>Applying the chart filter to the stored events…</source>
        <translation>正在将图表筛选应用到已存储的事件…</translation>
    </message>
    <message>
        <source>No events match the chart filter.</source>
        <translation>没有事件匹配图表筛选。</translation>
    </message>
</context>
<context>
    <name>ClientMessages</name>
    <message>
        <source>Unsupported URL scheme &quot;%1&quot;: use http or https</source>
        <translation>不支持的 URL 协议“%1”：请使用 http 或 https</translation>
    </message>
    <message>
        <source>Invalid URL: %1</source>
        <translation>无效的 URL：%1</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>content type %1 is not text/event-stream</source>
        <translation>内容类型 %1 不是 text/event-stream</translation>
    </message>
    <message>
        <source>An event exceeded the maximum event size of %1 bytes; if such events are expected, raise the limit (connection settings, or --max-event-size)</source>
        <translation>有事件超过了 %1 字节的最大事件大小；如果此类事件属于正常情况，请提高上限（连接设置或 --max-event-size）</translation>
    </message>
    <message>
        <source>No data for %1 s (idle timeout)</source>
        <translation>%1 秒内无数据（空闲超时）</translation>
    </message>
    <message>
        <source>No response headers within %1 s (connect timeout)</source>
        <translation>%1 秒内未收到响应头（连接超时）</translation>
    </message>
    <message>
        <source>Response ended before it started</source>
        <translation>响应在开始前就已结束</translation>
    </message>
    <message>
        <source>Server ended the stream</source>
        <translation>服务器结束了流</translation>
    </message>
    <message>
        <source>%1 (reconnect disabled)</source>
        <translation>%1（已禁用重连）</translation>
    </message>
    <message>
        <source>%1 (%2 requests are not re-sent)</source>
        <translation>%1（%2 请求不会重新发送）</translation>
    </message>
    <message>
        <source>%1 (gave up after %2 attempts)</source>
        <translation>%1（尝试 %2 次后放弃）</translation>
    </message>
    <message>
        <source>no host</source>
        <translation>缺少主机</translation>
    </message>
    <message>
        <source>HTTP 204 No Content: the server asks the client to stop (no reconnection)</source>
        <translation>HTTP 204 No Content：服务器要求客户端停止（不再重连）</translation>
    </message>
    <message>
        <source>Too many redirects (more than %1)</source>
        <translation>重定向次数过多（超过 %1 次）</translation>
    </message>
    <message>
        <source>Redirect from https to http refused: %1</source>
        <translation>已拒绝从 https 重定向到 http：%1</translation>
    </message>
    <message>
        <source>HTTP %1 redirect to another origin (%2) would send the request body there: not followed. Allow it with the connection&apos;s &quot;send credentials to redirect targets&quot; option</source>
        <translation>HTTP %1 重定向到另一个源（%2）会把请求体发送过去：未跟随。可在连接的“向重定向目标发送凭据”选项中允许</translation>
    </message>
    <message>
        <source>%1: the server closes right after connecting (%2 times in a row, no events%3); backing off</source>
        <translation>%1：服务器在连接后立即关闭（连续 %2 次，没有事件%3）；正在退避</translation>
    </message>
    <message>
        <source> since %1</source>
        <translation>，自 %1 起</translation>
    </message>
    <message>
        <source>: this endpoint streams NDJSON or JSON, not SSE (e.g. Ollama&apos;s native API, Gemini without alt=sse); read it with the connection&apos;s NDJSON mode (--ndjson)</source>
        <translation>：此端点以 NDJSON 或 JSON 流式传输，而不是 SSE（例如 Ollama 原生 API、未加 alt=sse 的 Gemini）；请使用连接的 NDJSON 模式读取（--ndjson）</translation>
    </message>
</context>
<context>
    <name>ColouringRules</name>
    <message>
        <source>Errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Heartbeats</source>
        <translation>心跳</translation>
    </message>
    <message>
        <source>empty expression</source>
        <translation>表达式为空</translation>
    </message>
</context>
<context>
    <name>ColouringRulesDialog</name>
    <message>
        <source>Colouring Rules</source>
        <translation>着色规则</translation>
    </message>
    <message>
        <source>Rows of the event log take the colours of the first ticked rule whose filter matches, e.g. type == &quot;error&quot; or data.usage.output_tokens &gt; 500.</source>
        <translation>事件日志中的行采用第一条已勾选且过滤条件匹配的规则的颜色，例如 type == &quot;error&quot; 或 data.usage.output_tokens &gt; 500。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>过滤条件</translation>
    </message>
    <message>
        <source>Background</source>
        <translation>背景</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文字</translation>
    </message>
    <message>
        <source>&amp;Clear Colour</source>
        <translation>清除颜色(&amp;C)</translation>
    </message>
    <message>
        <source>De&amp;faults</source>
        <translation>默认值(&amp;F)</translation>
    </message>
    <message>
        <source>New rule</source>
        <translation>新规则</translation>
    </message>
    <message>
        <source>Tick to use this rule</source>
        <translation>勾选以启用此规则</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Rule Colour</source>
        <translation>规则颜色</translation>
    </message>
    <message>
        <source>empty filter</source>
        <translation>过滤条件为空</translation>
    </message>
    <message>
        <source>Rule %1 never matches: %2</source>
        <translation>规则 %1 永远不会匹配：%2</translation>
    </message>
</context>
<context>
    <name>ConnectionCommands</name>
    <message>
        <source>&amp;New Connection…</source>
        <translation>新建连接(&amp;N)…</translation>
    </message>
    <message>
        <source>Connect to a new SSE URL</source>
        <translation>连接到新的 SSE URL</translation>
    </message>
    <message>
        <source>Connect to the &amp;Demo Stream</source>
        <translation>连接演示流(&amp;D)</translation>
    </message>
    <message>
        <source>Start the built-in demo server and connect to it</source>
        <translation>启动内置演示服务器并连接</translation>
    </message>
    <message>
        <source>E&amp;xport Connections…</source>
        <translation>导出连接(&amp;X)…</translation>
    </message>
    <message>
        <source>Save the connections as a JSON profiles file (also read by sse-monitor-cli)</source>
        <translation>将连接保存为 JSON 配置文件（sse-monitor-cli 也可读取）</translation>
    </message>
    <message>
        <source>&amp;Import Connections…</source>
        <translation>导入连接(&amp;I)…</translation>
    </message>
    <message>
        <source>Add the connections of a JSON profiles file</source>
        <translation>添加 JSON 配置文件中的连接</translation>
    </message>
    <message>
        <source>Store Secrets in &amp;Plain Text If No Keychain…</source>
        <translation>无密钥环时以明文存储机密(&amp;P)…</translation>
    </message>
    <message>
        <source>Without a system keychain, keep secret header values unencrypted in the settings file</source>
        <translation>没有系统密钥环时，将机密请求头的值以未加密形式保存在设置文件中</translation>
    </message>
    <message>
        <source>New Connection</source>
        <translation>新建连接</translation>
    </message>
    <message>
        <source>Edit Connection</source>
        <translation>编辑连接</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Export Connections</source>
        <translation>导出连接</translation>
    </message>
    <message>
        <source>JSON profiles (*.json);;All files (*)</source>
        <translation>JSON 配置文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Connections exported to %1</source>
        <translation>连接已导出到 %1</translation>
    </message>
    <message>
        <source>Import Connections</source>
        <translation>导入连接</translation>
    </message>
    <message>
        <source>%1: %2 connections added (not started), %3 renamed, %4 skipped.</source>
        <translation>%1：已添加 %2 个连接（未启动），%3 个已重命名，%4 个已跳过。</translation>
    </message>
    <message>
        <source>Not imported:</source>
        <translation>未导入：</translation>
    </message>
    <message>
        <source>Store Secrets in Plain Text</source>
        <translation>以明文存储机密</translation>
    </message>
    <message>
        <source>When no system keychain is available, secret header values (tokens, passwords, cookies) will be written unencrypted to %1. Anyone who can read that file can use them.

Store them in plain text?</source>
        <translation>没有可用的系统密钥环时，机密请求头的值（令牌、密码、Cookie）将以未加密形式写入 %1。任何能读取该文件的人都可以使用它们。

要以明文存储吗？</translation>
    </message>
</context>
<context>
    <name>ConnectionDetailTabs</name>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>响应</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Chart</source>
        <translation>图表</translation>
    </message>
    <message>
        <source>Connection Log</source>
        <translation>连接日志</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>统计</translation>
    </message>
    <message>
        <source>Connection log</source>
        <translation>连接日志</translation>
    </message>
    <message>
        <source>Diagnostics</source>
        <translation>诊断</translation>
    </message>
    <message>
        <source>Request: %1 %2
</source>
        <translation>请求：%1 %2
</translation>
    </message>
    <message>
        <source>Failed: %1
</source>
        <translation>失败：%1
</translation>
    </message>
    <message>
        <source>
No response received yet.
</source>
        <translation>
尚未收到响应。
</translation>
    </message>
    <message>
        <source>
First %1 bytes of the body:
</source>
        <translation>
响应体的前 %1 个字节：
</translation>
    </message>
    <message>
        <source>LLM</source>
        <translation>LLM</translation>
    </message>
    <message>
        <source>Protocol: %1
</source>
        <translation>协议：%1
</translation>
    </message>
    <message>
        <source>HTTP/2 (one connection shared by the streams to this server)</source>
        <translation>HTTP/2（到此服务器的各个流共用一个连接）</translation>
    </message>
    <message>
        <source>Proxy: none
</source>
        <translation>代理：无
</translation>
    </message>
    <message>
        <source>Proxy: %1
</source>
        <translation>代理：%1
</translation>
    </message>
</context>
<context>
    <name>ConnectionDialog</name>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Connection name</source>
        <translation>连接名称</translation>
    </message>
    <message>
        <source>HTTP method</source>
        <translation>HTTP 方法</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation>&amp;URL：</translation>
    </message>
    <message>
        <source>&amp;Headers</source>
        <translation>请求头(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Body</source>
        <translation>请求体(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Reconnect</source>
        <translation>重连(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Limits &amp;&amp; TLS</source>
        <translation>限制与 TLS(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Presets</source>
        <translation>预设(&amp;P)</translation>
    </message>
    <message>
        <source>Fill the form for a well-known stream</source>
        <translation>用常见数据流的配置填写表单</translation>
    </message>
    <message>
        <source>Request headers</source>
        <translation>请求头</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Request h&amp;eaders:</source>
        <translation>请求头(&amp;E)：</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>添加(&amp;A)</translation>
    </message>
    <message>
        <source>Add a request header</source>
        <translation>添加一个请求头</translation>
    </message>
    <message>
        <source>Remo&amp;ve</source>
        <translation>移除(&amp;V)</translation>
    </message>
    <message>
        <source>Remove the selected headers</source>
        <translation>移除所选的请求头</translation>
    </message>
    <message>
        <source>Values of secret-looking headers (Authorization, cookies, keys, tokens) are masked; tick Show to see one.</source>
        <translation>疑似机密的请求头（Authorization、Cookie、密钥、令牌）的值会被遮盖；勾选“显示”即可查看。</translation>
    </message>
    <message>
        <source>Request body</source>
        <translation>请求体</translation>
    </message>
    <message>
        <source>The request body, for example the JSON of an LLM API call.</source>
        <translation>请求体，例如 LLM API 调用的 JSON。</translation>
    </message>
    <message>
        <source>Request b&amp;ody:</source>
        <translation>请求体(&amp;O)：</translation>
    </message>
    <message>
        <source>GET requests are sent without a body: choose POST, PUT or PATCH to send one.</source>
        <translation>GET 请求不带请求体发送：如需发送请求体，请选择 POST、PUT 或 PATCH。</translation>
    </message>
    <message>
        <source>The body looks like JSON, but no Content-Type header is set.</source>
        <translation>请求体看起来是 JSON，但没有设置 Content-Type 请求头。</translation>
    </message>
    <message>
        <source>Add Content-&amp;Type: application/json</source>
        <translation>添加 Content-Type: application/json(&amp;T)</translation>
    </message>
    <message>
        <source>Reconnect policy</source>
        <translation>重连策略</translation>
    </message>
    <message>
        <source>Server retry (browser behaviour)</source>
        <translation>服务器 retry（浏览器行为）</translation>
    </message>
    <message>
        <source>Wait the reconnection time, which the server can change with a retry: field</source>
        <translation>等待重连时间，服务器可以用 retry: 字段修改它</translation>
    </message>
    <message>
        <source>Fixed delay</source>
        <translation>固定延迟</translation>
    </message>
    <message>
        <source>Always wait the fixed delay, whatever the server says</source>
        <translation>始终等待固定延迟，不理会服务器的设置</translation>
    </message>
    <message>
        <source>Exponential backoff</source>
        <translation>指数退避</translation>
    </message>
    <message>
        <source>Double the wait after each failed attempt, up to the maximum delay</source>
        <translation>每次尝试失败后等待时间加倍，直到最大延迟</translation>
    </message>
    <message>
        <source>Never reconnect</source>
        <translation>从不重连</translation>
    </message>
    <message>
        <source>Close when the stream ends or the network fails (LLM streams)</source>
        <translation>流结束或网络故障时关闭（适用于 LLM 流）</translation>
    </message>
    <message>
        <source>Reconnection time</source>
        <translation>重连时间</translation>
    </message>
    <message>
        <source>The wait before reconnecting until the server sends a retry: field; also the first delay of exponential backoff</source>
        <translation>在服务器发送 retry: 字段之前，重连前的等待时间；也是指数退避的第一次延迟</translation>
    </message>
    <message>
        <source>Maximum delay</source>
        <translation>最大延迟</translation>
    </message>
    <message>
        <source>Jitter</source>
        <translation>抖动</translation>
    </message>
    <message>
        <source>Each delay is changed by up to this much, up or down, so that many clients do not reconnect at the same moment</source>
        <translation>每次延迟随机增减不超过此比例，避免大量客户端在同一时刻重连</translation>
    </message>
    <message>
        <source>Reset backoff after</source>
        <translation>退避重置时间</translation>
    </message>
    <message>
        <source>A connection that stays open this long starts the backoff from the beginning again</source>
        <translation>连接保持打开达到此时长后，退避从头开始计算</translation>
    </message>
    <message>
        <source>Maximum attempts</source>
        <translation>最大尝试次数</translation>
    </message>
    <message>
        <source>Unlimited</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Give up after this many failed attempts in a row</source>
        <translation>连续失败达到此次数后放弃</translation>
    </message>
    <message>
        <source>Re-&amp;send POST after a drop</source>
        <translation>断开后重新发送 POST(&amp;S)</translation>
    </message>
    <message>
        <source>Also reconnect requests that are not idempotent (POST, PATCH). Off for LLM APIs: every request starts a new, billed answer.</source>
        <translation>对非幂等请求（POST、PATCH）也进行重连。对 LLM API 请关闭：每个请求都会生成一个新的、计费的回答。</translation>
    </message>
    <message>
        <source>Initial Last-Event-ID</source>
        <translation>初始 Last-Event-ID</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Sent as the Last-Event-ID header of the first request, to resume a stream</source>
        <translation>作为第一个请求的 Last-Event-ID 请求头发送，用于恢复流</translation>
    </message>
    <message>
        <source>&amp;Policy:</source>
        <translation>策略(&amp;P)：</translation>
    </message>
    <message>
        <source>Reconnection &amp;time:</source>
        <translation>重连时间(&amp;T)：</translation>
    </message>
    <message>
        <source>Fixed &amp;delay:</source>
        <translation>固定延迟(&amp;D)：</translation>
    </message>
    <message>
        <source>Ma&amp;ximum delay:</source>
        <translation>最大延迟(&amp;X)：</translation>
    </message>
    <message>
        <source>&amp;Jitter:</source>
        <translation>抖动(&amp;J)：</translation>
    </message>
    <message>
        <source>Reset backoff &amp;after:</source>
        <translation>退避重置时间(&amp;A)：</translation>
    </message>
    <message>
        <source>Maximum atte&amp;mpts:</source>
        <translation>最大尝试次数(&amp;M)：</translation>
    </message>
    <message>
        <source>Initial Last-Event-&amp;ID:</source>
        <translation>初始 Last-Event-ID(&amp;I)：</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>限制</translation>
    </message>
    <message>
        <source>Connect timeout</source>
        <translation>连接超时</translation>
    </message>
    <message>
        <source>Longest wait from sending the request to the response headers; 0 waits forever</source>
        <translation>从发送请求到收到响应头的最长等待时间；0 表示一直等待</translation>
    </message>
    <message>
        <source>Idle timeout</source>
        <translation>空闲超时</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Treat the connection as dropped when no byte arrives for this long; 0 turns it off</source>
        <translation>在此时长内没有收到任何字节即视为连接已断开；0 表示关闭</translation>
    </message>
    <message>
        <source>Maximum event size</source>
        <translation>最大事件大小</translation>
    </message>
    <message>
        <source>A larger event fails the connection instead of filling memory</source>
        <translation>更大的事件会使连接失败，而不是占满内存</translation>
    </message>
    <message>
        <source>&amp;Connect timeout:</source>
        <translation>连接超时(&amp;C)：</translation>
    </message>
    <message>
        <source>Idle time&amp;out:</source>
        <translation>空闲超时(&amp;O)：</translation>
    </message>
    <message>
        <source>Maximum &amp;event size:</source>
        <translation>最大事件大小(&amp;E)：</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>Allow &amp;insecure TLS (accept any certificate)</source>
        <translation>允许不安全的 TLS（接受任何证书）(&amp;I)</translation>
    </message>
    <message>
        <source>Warning: every certificate is accepted, so anyone on the network path can read and change this stream. Use it only for local test servers.</source>
        <translation>警告：任何证书都会被接受，网络路径上的任何人都能读取和篡改此流。仅用于本地测试服务器。</translation>
    </message>
    <message>
        <source>C&amp;hoose File…</source>
        <translation>选择文件(&amp;H)…</translation>
    </message>
    <message>
        <source>Choose a CA certificates file</source>
        <translation>选择 CA 证书文件</translation>
    </message>
    <message>
        <source>Trust the certificates of a PEM file in addition to the system&apos;s</source>
        <translation>除系统证书外，还信任某个 PEM 文件中的证书</translation>
    </message>
    <message>
        <source>Clea&amp;r</source>
        <translation>清除(&amp;R)</translation>
    </message>
    <message>
        <source>Clear the CA certificates</source>
        <translation>清除 CA 证书</translation>
    </message>
    <message>
        <source>A server certificate you accepted earlier is trusted for this connection.</source>
        <translation>此连接信任您先前接受的服务器证书。</translation>
    </message>
    <message>
        <source>&amp;Forget</source>
        <translation>忘记(&amp;F)</translation>
    </message>
    <message>
        <source>Forget the accepted server certificate</source>
        <translation>忘记已接受的服务器证书</translation>
    </message>
    <message>
        <source>CA certificates:</source>
        <translation>CA 证书：</translation>
    </message>
    <message>
        <source>OpenAI-style chat stream (POST)</source>
        <translation>OpenAI 风格的聊天流（POST）</translation>
    </message>
    <message>
        <source>Anthropic-style messages stream (POST)</source>
        <translation>Anthropic 风格的消息流（POST）</translation>
    </message>
    <message>
        <source>Wikimedia recent changes</source>
        <translation>Wikimedia 最近更改</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>%1 is too large for a certificate file.</source>
        <translation>%1 太大，不像是证书文件。</translation>
    </message>
    <message>
        <source>%1 holds no PEM certificate.</source>
        <translation>%1 中没有 PEM 证书。</translation>
    </message>
    <message>
        <source>Show the value</source>
        <translation>显示值</translation>
    </message>
    <message>
        <source>Show or mask this value</source>
        <translation>显示或遮盖此值</translation>
    </message>
    <message>
        <source>Enter the URL of the stream, starting with http:// or https://.</source>
        <translation>输入流的 URL，以 http:// 或 https:// 开头。</translation>
    </message>
    <message>
        <source>Not a valid URL: it must start with http:// or https:// and name a host.</source>
        <translation>不是有效的 URL：必须以 http:// 或 https:// 开头并包含主机名。</translation>
    </message>
    <message>
        <source>None: only the system&apos;s trusted certificates</source>
        <translation>无：仅使用系统信任的证书</translation>
    </message>
    <message>
        <source>1 extra certificate</source>
        <translation>1 个额外证书</translation>
    </message>
    <message>
        <source>%1 extra certificates</source>
        <translation>%1 个额外证书</translation>
    </message>
    <message>
        <source>Choose CA Certificates</source>
        <translation>选择 CA 证书</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>PEM 证书 (*.pem *.crt *.cer);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Connection settings</source>
        <translation>连接设置</translation>
    </message>
    <message>
        <source> ms</source>
        <comment>unit suffix of a spin box: milliseconds</comment>
        <translation> 毫秒</translation>
    </message>
    <message>
        <source> s</source>
        <comment>unit suffix of a spin box: seconds</comment>
        <translation> 秒</translation>
    </message>
    <message>
        <source>OpenAI Responses stream (POST)</source>
        <translation>OpenAI Responses 流（POST）</translation>
    </message>
    <message>
        <source>Gemini streamGenerateContent (POST)</source>
        <translation>Gemini streamGenerateContent（POST）</translation>
    </message>
    <message>
        <source>Cannot be sent: %1. Remove the line break or NUL character.</source>
        <translation>无法发送：%1。请删除其中的换行符或 NUL 字符。</translation>
    </message>
    <message>
        <source>When the window falls behind</source>
        <translation>窗口跟不上时</translation>
    </message>
    <message>
        <source>Pause reading (nothing is lost)</source>
        <translation>暂停读取（不丢失任何事件）</translation>
    </message>
    <message>
        <source>Drop the newest events and count them</source>
        <translation>丢弃最新的事件并计数</translation>
    </message>
    <message>
        <source>A stream faster than the window can show: pausing makes the server slow down; dropping keeps the newest flowing and shows how many were left out</source>
        <translation>流的速度超过窗口的显示速度时：暂停会让服务器放慢；丢弃则保持最新事件流动，并显示被略去的数量</translation>
    </message>
    <message>
        <source>When the window falls &amp;behind:</source>
        <translation>窗口跟不上时(&amp;B)：</translation>
    </message>
    <message>
        <source>Send credentials to &amp;redirect targets on other hosts</source>
        <translation>向其他主机上的重定向目标发送凭据(&amp;R)</translation>
    </message>
    <message>
        <source>Off: Authorization, cookies, secret headers and the request body stay with the origin they were meant for when a redirect leads elsewhere</source>
        <translation>关闭时：重定向指向别处时，Authorization、Cookie、机密请求头和请求体仍只发往其原本的源</translation>
    </message>
    <message>
        <source>HTTP/&amp;1.1 only (do not offer HTTP/2)</source>
        <translation>仅 HTTP/&amp;1.1（不提供 HTTP/2）</translation>
    </message>
    <message>
        <source>Over https, HTTP/2 is used when the server offers it and streams to one server share a connection. Tick this for servers or proxies whose HTTP/2 misbehaves.</source>
        <translation>通过 https 连接时，如果服务器支持 HTTP/2 就使用它，到同一服务器的各个流共用一个连接。如果服务器或代理的 HTTP/2 工作不正常，请勾选此项。</translation>
    </message>
    <message>
        <source>Pro&amp;xy &amp;&amp; Client Certificate</source>
        <translation>代理和客户端证书(&amp;X)</translation>
    </message>
    <message>
        <source>From c&amp;URL…</source>
        <translation>从 cURL 导入(&amp;U)…</translation>
    </message>
    <message>
        <source>Fill the form from a curl command, e.g. a browser&apos;s or API console&apos;s &quot;Copy as cURL&quot;</source>
        <translation>用 curl 命令填写表单，例如浏览器或 API 控制台的“复制为 cURL”</translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation>代理</translation>
    </message>
    <message>
        <source>From the environment (http_proxy, https_proxy, ALL_PROXY)</source>
        <translation>来自环境变量（http_proxy、https_proxy、ALL_PROXY）</translation>
    </message>
    <message>
        <source>http://user@host:port, socks5://host:port or socks5h://host:port (the proxy resolves the host name)</source>
        <translation>http://用户@主机:端口、socks5://主机:端口 或 socks5h://主机:端口（由代理解析主机名）</translation>
    </message>
    <message>
        <source>Proxy password</source>
        <translation>代理密码</translation>
    </message>
    <message>
        <source>Kept in the system keychain like secret headers, never in the settings</source>
        <translation>与机密请求头一样保存在系统钥匙串中，绝不写入设置</translation>
    </message>
    <message>
        <source>No proxy for</source>
        <translation>不使用代理的主机</translation>
    </message>
    <message>
        <source>From NO_PROXY; e.g. internal.example, 10.0.0.0/8, * for none</source>
        <translation>来自 NO_PROXY；例如 internal.example、10.0.0.0/8，* 表示全部不用代理</translation>
    </message>
    <message>
        <source>Pro&amp;xy URL:</source>
        <translation>代理 URL(&amp;X)：</translation>
    </message>
    <message>
        <source>Proxy &amp;password:</source>
        <translation>代理密码(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;No proxy for:</source>
        <translation>不使用代理(&amp;N)：</translation>
    </message>
    <message>
        <source>Client certificate (mutual TLS)</source>
        <translation>客户端证书（双向 TLS）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Choose: %1</source>
        <translation>选择：%1</translation>
    </message>
    <message>
        <source>Certificate file</source>
        <translation>证书文件</translation>
    </message>
    <message>
        <source>Certificate format</source>
        <translation>证书格式</translation>
    </message>
    <message>
        <source>PEM</source>
        <translation>PEM</translation>
    </message>
    <message>
        <source>PKCS#12 (.p12, .pfx)</source>
        <translation>PKCS#12（.p12、.pfx）</translation>
    </message>
    <message>
        <source>Private key file</source>
        <translation>私钥文件</translation>
    </message>
    <message>
        <source>In the certificate file</source>
        <translation>在证书文件中</translation>
    </message>
    <message>
        <source>Key passphrase</source>
        <translation>密钥口令</translation>
    </message>
    <message>
        <source>The key&apos;s or the PKCS#12 file&apos;s password; kept in the system keychain, never in the settings</source>
        <translation>私钥或 PKCS#12 文件的密码；保存在系统钥匙串中，绝不写入设置</translation>
    </message>
    <message>
        <source>Client Certificate</source>
        <translation>客户端证书</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer *.p12 *.pfx);;All files (*)</source>
        <translation>证书 (*.pem *.crt *.cer *.p12 *.pfx);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Private Key</source>
        <translation>私钥</translation>
    </message>
    <message>
        <source>Keys (*.pem *.key);;All files (*)</source>
        <translation>密钥 (*.pem *.key);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cer&amp;tificate:</source>
        <translation>证书(&amp;T)：</translation>
    </message>
    <message>
        <source>Private &amp;key:</source>
        <translation>私钥(&amp;K)：</translation>
    </message>
    <message>
        <source>&amp;Format:</source>
        <translation>格式(&amp;F)：</translation>
    </message>
    <message>
        <source>Passp&amp;hrase:</source>
        <translation>口令(&amp;H)：</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>响应</translation>
    </message>
    <message>
        <source>Also read N&amp;DJSON / JSON streams: each line or array element becomes an event of type &quot;ndjson&quot;</source>
        <translation>同时读取 NDJSON / JSON 流(&amp;D)：每一行或每个数组元素成为一个类型为“ndjson”的事件</translation>
    </message>
    <message>
        <source>For endpoints that stream application/x-ndjson, application/jsonl or a JSON array (Ollama&apos;s native API, Gemini without alt=sse)</source>
        <translation>用于以 application/x-ndjson、application/jsonl 或 JSON 数组流式传输的端点（Ollama 原生 API、未加 alt=sse 的 Gemini）</translation>
    </message>
    <message>
        <source>From cURL</source>
        <translation>从 cURL 导入</translation>
    </message>
    <message>
        <source>Paste a curl command (bash quoting, as &quot;Copy as cURL&quot; writes it):</source>
        <translation>粘贴 curl 命令（bash 引号规则，与“复制为 cURL”的输出相同）：</translation>
    </message>
    <message>
        <source>The curl command was not used: %1</source>
        <translation>未使用该 curl 命令：%1</translation>
    </message>
    <message>
        <source>This looks like a curl command, but it cannot be used: %1</source>
        <translation>这看起来是 curl 命令，但无法使用：%1</translation>
    </message>
    <message>
        <source>Host and path of the URL when left empty</source>
        <translation>留空时使用 URL 的主机和路径</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>连接(&amp;C)</translation>
    </message>
    <message>
        <source>Connection kind</source>
        <translation>连接类型</translation>
    </message>
    <message>
        <source>Stream (connect to a server)</source>
        <translation>流（连接到服务器）</translation>
    </message>
    <message>
        <source>Proxy (record what an app receives)</source>
        <translation>代理（记录应用收到的内容）</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>类型(&amp;K)：</translation>
    </message>
    <message>
        <source>Listen address</source>
        <translation>监听地址</translation>
    </message>
    <message>
        <source>Listen port</source>
        <translation>监听端口</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <source>Allow other machines to connect (an address other than loopback)</source>
        <translation>允许其他机器连接（非回环地址）</translation>
    </message>
    <message>
        <source>Upstream URL</source>
        <translation>上游 URL</translation>
    </message>
    <message>
        <source>C&amp;hoose…</source>
        <translation>选择(&amp;H)…</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Accept any upstream certificate (insecure)</source>
        <translation>接受任何上游证书（不安全）</translation>
    </message>
    <message>
        <source>Analyse LLM responses (verdicts, the LLM tab)</source>
        <translation>分析 LLM 响应（判定结果、LLM 标签页）</translation>
    </message>
    <message>
        <source>&amp;Listen on:</source>
        <translation>监听(&amp;L)：</translation>
    </message>
    <message>
        <source>U&amp;pstream:</source>
        <translation>上游(&amp;P)：</translation>
    </message>
    <message>
        <source>Upstream CA:</source>
        <translation>上游 CA：</translation>
    </message>
    <message>
        <source>&quot;Proxy&quot; and the upstream&apos;s host when left empty</source>
        <translation>留空时使用“代理”加上游主机名</translation>
    </message>
    <message>
        <source>Not an IP address: enter one such as 127.0.0.1 or ::1.</source>
        <translation>不是 IP 地址：请输入例如 127.0.0.1 或 ::1。</translation>
    </message>
    <message>
        <source>%1 is reachable from other machines: tick the box above to listen on it anyway.</source>
        <translation>%1 可被其他机器访问：如仍要在其上监听，请勾选上方的选项。</translation>
    </message>
    <message>
        <source>Warning: anyone who reaches %1 can use the upstream through this proxy, with the credentials your application sends.</source>
        <translation>警告：任何能访问 %1 的人都可以通过此代理、使用您的应用发送的凭据访问上游。</translation>
    </message>
    <message>
        <source>The server the application would talk to, starting with http:// or https://.</source>
        <translation>应用原本要访问的服务器，以 http:// 或 https:// 开头。</translation>
    </message>
    <message>
        <source>Point the application&apos;s base URL (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, its API base setting) at %1. Each exchange shows up under the proxy; event streams as connections of their own.</source>
        <translation>将应用的基础 URL（OPENAI_BASE_URL、ANTHROPIC_BASE_URL 或其 API 基址设置）指向 %1。每次交互都显示在代理下方；事件流显示为单独的连接。</translation>
    </message>
    <message>
        <source>Proxy %1</source>
        <translation>代理 %1</translation>
    </message>
</context>
<context>
    <name>ConnectionListModel</name>
    <message>
        <source>Recording (offline)</source>
        <translation>录制文件（离线）</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>Connecting (attempt %1)</source>
        <translation>正在连接（第 %1 次尝试）</translation>
    </message>
    <message>
        <source>Connecting</source>
        <translation>正在连接</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>Reconnecting in %1 s (attempt %2)</source>
        <translation>%1 秒后重连（第 %2 次尝试）</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>Closed: %1</source>
        <translation>已关闭：%1</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Last error: %1</source>
        <translation>最近的错误：%1</translation>
    </message>
    <message>
        <source>Reconnection time: %1 ms</source>
        <translation>重连时间：%1 毫秒</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件数</translation>
    </message>
    <message>
        <source>Rate /s</source>
        <translation>速率/秒</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>字节数</translation>
    </message>
    <message>
        <source>Last id</source>
        <translation>最后 ID</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>Waiting for the keychain</source>
        <translation>正在等待密钥环</translation>
    </message>
    <message>
        <source>Secret missing: %1 (Edit to enter it)</source>
        <translation>缺少机密值：%1（请编辑连接以输入）</translation>
    </message>
    <message>
        <source>idle</source>
        <comment>connection state</comment>
        <translation>空闲</translation>
    </message>
    <message>
        <source>connecting</source>
        <comment>connection state</comment>
        <translation>连接中</translation>
    </message>
    <message>
        <source>open</source>
        <comment>connection state</comment>
        <translation>已连接</translation>
    </message>
    <message>
        <source>reconnecting</source>
        <comment>connection state</comment>
        <translation>重连中</translation>
    </message>
    <message>
        <source>closed</source>
        <comment>connection state</comment>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>failed</source>
        <comment>connection state</comment>
        <translation>失败</translation>
    </message>
    <message>
        <source>Throttled: the window reads %1 events/s, the server sends faster</source>
        <translation>已节流：窗口每秒读取 %1 个事件，服务器发送得更快</translation>
    </message>
    <message>
        <source>LLM: %1</source>
        <translation>LLM：%1</translation>
    </message>
    <message>
        <source>Open: %1 events dropped (the window is behind; this connection drops the newest instead of pausing)</source>
        <translation>已打开：已丢弃 %1 个事件（窗口跟不上；此连接丢弃最新事件而不是暂停）</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <comment>health verdict: detail</comment>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Stalled after %1 s without a data event (set)</source>
        <translation>无数据事件 %1 秒后视为停滞（已设置）</translation>
    </message>
    <message>
        <source>Stalled after %1 s without a data event (learnt: 10 × the median interval)</source>
        <translation>无数据事件 %1 秒后视为停滞（已学习：中位间隔的 10 倍）</translation>
    </message>
    <message>
        <source>Stalled after %1 s without a data event (until the cadence is learnt)</source>
        <translation>无数据事件 %1 秒后视为停滞（在学习到节奏之前）</translation>
    </message>
    <message>
        <source>%1 reconnects in the last 5 min · %2 id gaps</source>
        <translation>最近 5 分钟重连 %1 次 · ID 缺口 %2 个</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>健康状况</translation>
    </message>
    <message>
        <source>no events since %1</source>
        <translation>%1 之后没有事件</translation>
    </message>
    <message>
        <source>no events yet</source>
        <translation>尚无事件</translation>
    </message>
    <message>
        <source>The server closes right after connecting (%1 times, %2); next try in %3 s</source>
        <translation>服务器在连接后立即关闭（%1 次，%2）；%3 秒后重试</translation>
    </message>
    <message numerus="yes">
        <source>Listening on %1 · %Ln exchange(s)</source>
        <translation>
            <numerusform>正在监听 %1 · %Ln 次交互</numerusform>
        </translation>
    </message>
    <message>
        <source> · %1 under way</source>
        <translation> · %1 个进行中</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <comment>proxy: listen URL -&gt; upstream</comment>
        <translation>%1 → %2</translation>
    </message>
</context>
<context>
    <name>ConnectionLogModel</name>
    <message>
        <source>id gap</source>
        <translation>ID 缺口</translation>
    </message>
    <message>
        <source>%1 ms (attempt %2)</source>
        <translation>%1 毫秒（第 %2 次尝试）</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态码</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Last-Event-ID</source>
        <translation>Last-Event-ID</translation>
    </message>
    <message>
        <source>health: %1</source>
        <translation>健康状况：%1</translation>
    </message>
</context>
<context>
    <name>ConnectionManager</name>
    <message>
        <source>Gap after resume: id %1 followed %2 (%3 missing)</source>
        <translation>恢复后出现缺口：ID %1 之后是 %2（缺少 %3 个）</translation>
    </message>
    <message>
        <source>Throttled: the server sends faster than the window reads; reading paused until it catches up (nothing is dropped)</source>
        <translation>已节流：服务器发送速度超过窗口读取速度；读取暂停，直到跟上为止（不丢弃任何事件）</translation>
    </message>
    <message>
        <source>HTTP %1 redirect to %2</source>
        <translation>HTTP %1 重定向到 %2</translation>
    </message>
    <message>
        <source>not sent to that origin: %1</source>
        <translation>未发送到该源：%1</translation>
    </message>
    <message>
        <source>%1 through the proxy %2</source>
        <translation>%1，经由代理 %2</translation>
    </message>
    <message>
        <source>recovered from: %1</source>
        <translation>已从以下状态恢复：%1</translation>
    </message>
    <message>
        <source>Stopped listening</source>
        <translation>已停止监听</translation>
    </message>
    <message>
        <source>the application closed the connection</source>
        <translation>应用关闭了连接</translation>
    </message>
    <message>
        <source>Stopped listening: the settings changed</source>
        <translation>已停止监听：设置已更改</translation>
    </message>
    <message>
        <source>Listening on %1, forwarding to %2</source>
        <translation>正在监听 %1，转发到 %2</translation>
    </message>
    <message>
        <source>the proxy stopped</source>
        <translation>代理已停止</translation>
    </message>
    <message>
        <source>Listening on %1</source>
        <translation>正在监听 %1</translation>
    </message>
    <message>
        <source>Cannot listen on %1: %2</source>
        <translation>无法监听 %1：%2</translation>
    </message>
    <message>
        <source>%1 · HTTP %2 · %3 · %4 ms</source>
        <translation>%1 · HTTP %2 · %3 · %4 毫秒</translation>
    </message>
    <message numerus="yes">
        <source> · %Ln event(s)</source>
        <translation>
            <numerusform> · %Ln 个事件</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConnectionsPane</name>
    <message>
        <source>&amp;Edit…</source>
        <translation>编辑(&amp;E)…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+E</source>
        <translation>Ctrl+Shift+E</translation>
    </message>
    <message>
        <source>Edit the selected connection</source>
        <translation>编辑所选的连接</translation>
    </message>
    <message>
        <source>D&amp;uplicate</source>
        <translation>复制连接(&amp;U)</translation>
    </message>
    <message>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <source>Duplicate the selected connection</source>
        <translation>复制所选的连接</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>连接(&amp;C)</translation>
    </message>
    <message>
        <source>Ctrl+Return</source>
        <translation>Ctrl+Return</translation>
    </message>
    <message>
        <source>Open the selected connection</source>
        <translation>打开所选的连接</translation>
    </message>
    <message>
        <source>Dis&amp;connect</source>
        <translation>断开(&amp;C)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+Return</source>
        <translation>Ctrl+Shift+Return</translation>
    </message>
    <message>
        <source>Close the selected connection</source>
        <translation>关闭所选的连接</translation>
    </message>
    <message>
        <source>&amp;Reconnect Now</source>
        <translation>立即重连(&amp;R)</translation>
    </message>
    <message>
        <source>Skip the wait and reconnect the selected connection</source>
        <translation>跳过等待，立即重连所选的连接</translation>
    </message>
    <message>
        <source>C&amp;heck Stream</source>
        <translation>检查流(&amp;H)</translation>
    </message>
    <message>
        <source>Ctrl+K</source>
        <translation>Ctrl+K</translation>
    </message>
    <message>
        <source>Observe the selected stream for 10 s and report protocol problems</source>
        <translation>观察所选的流 10 秒并报告协议问题</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>移除(&amp;M)</translation>
    </message>
    <message>
        <source>Ctrl+Del</source>
        <translation>Ctrl+Del</translation>
    </message>
    <message>
        <source>Remove the selected connection</source>
        <translation>移除所选的连接</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>连接列表</translation>
    </message>
    <message>
        <source>Ctrl+Shift+E or a double-click edits the selected connection; the other commands are in the Connection menu</source>
        <translation>Ctrl+Shift+E 或双击可编辑所选的连接；其他命令位于“连接”菜单中</translation>
    </message>
    <message>
        <source>&lt;b&gt;Connections&lt;/b&gt;</source>
        <translation>&lt;b&gt;连接列表&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Event types</source>
        <translation>事件类型</translation>
    </message>
    <message>
        <source>Space ticks or unticks the selected type</source>
        <translation>按空格键勾选或取消勾选所选类型</translation>
    </message>
    <message>
        <source>&lt;b&gt;Event types&lt;/b&gt;</source>
        <translation>&lt;b&gt;事件类型&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Copy as c&amp;URL</source>
        <translation>复制为 cURL(&amp;U)</translation>
    </message>
    <message>
        <source>Copy a curl command for the selected connection, without its secrets</source>
        <translation>复制所选连接的 curl 命令，不含机密信息</translation>
    </message>
    <message>
        <source>Copy as cURL with &amp;Secrets</source>
        <translation>复制为含机密信息的 cURL(&amp;S)</translation>
    </message>
    <message>
        <source>Copy a curl command for the selected connection, including tokens and passwords</source>
        <translation>复制所选连接的 curl 命令，包括令牌和密码</translation>
    </message>
    <message>
        <source>&amp;Pause Replay</source>
        <translation>暂停回放(&amp;P)</translation>
    </message>
    <message>
        <source>Pause or resume the selected replay</source>
        <translation>暂停或继续所选回放</translation>
    </message>
    <message>
        <source>S&amp;top Replay</source>
        <translation>停止回放(&amp;T)</translation>
    </message>
    <message>
        <source>Stop the selected replay; what was played stays</source>
        <translation>停止所选回放；已回放的内容保留</translation>
    </message>
    <message>
        <source>Replay &amp;Speed</source>
        <translation>回放速度(&amp;S)</translation>
    </message>
    <message>
        <source>1× (original timing)</source>
        <translation>1×（原始节奏）</translation>
    </message>
    <message>
        <source>2×</source>
        <translation>2×</translation>
    </message>
    <message>
        <source>10×</source>
        <translation>10×</translation>
    </message>
    <message>
        <source>As fast as possible</source>
        <translation>尽可能快</translation>
    </message>
    <message>
        <source>Untick a type to hide its events on that connection; right-click for &quot;only this type&quot; and &quot;show all&quot;</source>
        <translation>取消勾选某个类型可隐藏该连接上此类型的事件；右键单击可选择“仅此类型”和“全部显示”</translation>
    </message>
    <message>
        <source>Remove Connection</source>
        <translation>移除连接</translation>
    </message>
    <message>
        <source>Remove “%1”?</source>
        <translation>移除“%1”？</translation>
    </message>
    <message>
        <source>It is connected and will be closed.</source>
        <translation>该连接正在使用，将被关闭。</translation>
    </message>
    <message numerus="yes">
        <source>Its %Ln event(s) leave the log; recordings on disk stay.</source>
        <translation>
            <numerusform>它的 %Ln 个事件将离开日志；磁盘上的录制保留。</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>移除(&amp;R)</translation>
    </message>
    <message>
        <source>Only This Type</source>
        <translation>仅此类型</translation>
    </message>
    <message>
        <source>Show All Types</source>
        <translation>显示全部类型</translation>
    </message>
</context>
<context>
    <name>CurlMessages</name>
    <message>
        <source>cannot read the standard input</source>
        <translation>无法读取标准输入</translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>%1 is larger than 64 MiB</source>
        <translation>%1 大于 64 MiB</translation>
    </message>
    <message>
        <source>-H takes &quot;Name: value&quot;, not &quot;%1&quot;</source>
        <translation>-H 需要“名称: 值”，而不是“%1”</translation>
    </message>
    <message>
        <source>-b %1: cookie files are not supported; give the cookies as &quot;name=value; name2=value2&quot;</source>
        <translation>-b %1：不支持 Cookie 文件；请以“name=value; name2=value2”的形式给出 Cookie</translation>
    </message>
    <message>
        <source>--cert-type takes PEM or P12, not &quot;%1&quot;</source>
        <translation>--cert-type 只接受 PEM 或 P12，而不是“%1”</translation>
    </message>
    <message>
        <source>%1 takes seconds, not &quot;%2&quot;</source>
        <translation>%1 需要秒数，而不是“%2”</translation>
    </message>
    <message>
        <source>more than one URL (&quot;%1&quot;): a connection has one</source>
        <translation>多于一个 URL（“%1”）：一个连接只有一个 URL</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid URL</source>
        <translation>“%1”不是有效的 URL</translation>
    </message>
    <message>
        <source>a single quote (&apos;) is not closed</source>
        <translation>单引号（&apos;）未闭合</translation>
    </message>
    <message>
        <source>a $&apos;...&apos; quote is not closed</source>
        <translation>$&apos;...&apos; 引号未闭合</translation>
    </message>
    <message>
        <source>a double quote (&quot;) is not closed</source>
        <translation>双引号（&quot;）未闭合</translation>
    </message>
    <message>
        <source>%1 needs a value</source>
        <translation>%1 需要一个值</translation>
    </message>
    <message>
        <source>unknown curl option --%1 (see the README&apos;s list of the options sse-monitor understands)</source>
        <translation>未知的 curl 选项 --%1（sse-monitor 支持的选项见 README）</translation>
    </message>
    <message>
        <source>--%1 takes no value</source>
        <translation>--%1 不接受值</translation>
    </message>
    <message>
        <source>unknown curl option -%1</source>
        <translation>未知的 curl 选项 -%1</translation>
    </message>
    <message>
        <source>the command has no URL</source>
        <translation>该命令没有 URL</translation>
    </message>
    <message>
        <source>--proxy-user needs --proxy</source>
        <translation>--proxy-user 需要 --proxy</translation>
    </message>
    <message>
        <source>not a curl command: it does not start with &quot;curl&quot;</source>
        <translation>不是 curl 命令：它不以“curl”开头</translation>
    </message>
</context>
<context>
    <name>DiagnosticsView</name>
    <message>
        <source>Run check</source>
        <translation>运行检查</translation>
    </message>
    <message>
        <source>Observe the selected connection&apos;s stream for a few seconds and report what the server should change</source>
        <translation>观察所选连接的流几秒钟，并报告服务器应当修改的地方</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查项</translation>
    </message>
    <message>
        <source>Observed</source>
        <translation>观察到的情况</translation>
    </message>
    <message>
        <source>Advice</source>
        <translation>建议</translation>
    </message>
    <message>
        <source>Statistics appear after a check.</source>
        <translation>检查完成后显示统计信息。</translation>
    </message>
    <message>
        <source>%1: %2 failure(s), %3 warning(s), %4 passed</source>
        <translation>%1：%2 项失败，%3 项警告，%4 项通过</translation>
    </message>
    <message>
        <source>Select a connection and run a check.</source>
        <translation>请选择一个连接并运行检查。</translation>
    </message>
    <message>
        <source>pass</source>
        <comment>check result</comment>
        <translation>通过</translation>
    </message>
    <message>
        <source>info</source>
        <comment>check result</comment>
        <translation>信息</translation>
    </message>
    <message>
        <source>warning</source>
        <comment>check result</comment>
        <translation>警告</translation>
    </message>
    <message>
        <source>failure</source>
        <comment>check result</comment>
        <translation>失败</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>检查结果</translation>
    </message>
    <message>
        <source>Check statistics</source>
        <translation>检查统计</translation>
    </message>
    <message>
        <source>Copy report</source>
        <translation>复制报告</translation>
    </message>
    <message>
        <source>Copy the findings and statistics as text</source>
        <translation>将检查结果和统计信息复制为文本</translation>
    </message>
    <message>
        <source>Failures (%1): browsers&apos; EventSource will not work as intended</source>
        <translation>失败（%1）：浏览器的 EventSource 将无法按预期工作</translation>
    </message>
    <message>
        <source>Warnings (%1): works, but some clients or proxies will misbehave</source>
        <translation>警告（%1）：可以工作，但某些客户端或代理会出现异常</translation>
    </message>
    <message>
        <source>Worth knowing (%1)</source>
        <translation>值得了解（%1）</translation>
    </message>
    <message>
        <source>Passed (%1)</source>
        <translation>通过（%1）</translation>
    </message>
    <message>
        <source>Stream check of %1</source>
        <translation>%1 的流检查</translation>
    </message>
    <message>
        <source>Observed: %1</source>
        <translation>观察到：%1</translation>
    </message>
    <message>
        <source>Advice: %1</source>
        <translation>建议：%1</translation>
    </message>
    <message>
        <source>%1 s left</source>
        <translation>剩余 %1 秒</translation>
    </message>
    <message numerus="yes">
        <source>Checking %1… %Ln event(s) seen</source>
        <translation>
            <numerusform>正在检查 %1… 已看到 %Ln 个事件</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EventDetailView</name>
    <message>
        <source>Event type</source>
        <translation>事件类型</translation>
    </message>
    <message>
        <source>Event ID</source>
        <translation>事件 ID</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Data size</source>
        <translation>数据大小</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Received at</source>
        <translation>接收时间</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Type:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>ID:</source>
        <translation>ID：</translation>
    </message>
    <message>
        <source>Size:</source>
        <translation>大小：</translation>
    </message>
    <message>
        <source>Connection:</source>
        <translation>连接：</translation>
    </message>
    <message>
        <source>Received:</source>
        <translation>接收时间：</translation>
    </message>
    <message>
        <source>Retry:</source>
        <translation>重试：</translation>
    </message>
    <message>
        <source>Event data, formatted</source>
        <translation>格式化后的事件数据</translation>
    </message>
    <message>
        <source>Select an event to see its data here.</source>
        <translation>选择一个事件即可在此查看其数据。</translation>
    </message>
    <message>
        <source>&amp;Pretty</source>
        <translation>格式化(&amp;P)</translation>
    </message>
    <message>
        <source>Event data as a JSON tree</source>
        <translation>以 JSON 树显示的事件数据</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>&amp;Tree</source>
        <translation>树(&amp;T)</translation>
    </message>
    <message>
        <source>Event data as received</source>
        <translation>原样接收的事件数据</translation>
    </message>
    <message>
        <source>Event in SSE wire format</source>
        <translation>SSE 传输格式的事件</translation>
    </message>
    <message>
        <source>The event written back as an event stream block. The id line is the last event ID in force, which an earlier event may have set.</source>
        <translation>将事件重新写成事件流块。id 行是当时生效的最后事件 ID，可能由更早的事件设置。</translation>
    </message>
    <message>
        <source>Data as received:</source>
        <translation>原样接收的数据：</translation>
    </message>
    <message>
        <source>SSE wire format:</source>
        <translation>SSE 传输格式：</translation>
    </message>
    <message>
        <source>&amp;Raw</source>
        <translation>原始(&amp;R)</translation>
    </message>
    <message>
        <source>Copy &amp;data</source>
        <translation>复制数据(&amp;D)</translation>
    </message>
    <message>
        <source>Copy the event data exactly as received</source>
        <translation>按接收时的原样复制事件数据</translation>
    </message>
    <message>
        <source>Copy as &amp;JSON</source>
        <translation>复制为 JSON(&amp;J)</translation>
    </message>
    <message>
        <source>Copy the whole event (type, ID, time, data) as a JSON object</source>
        <translation>将整个事件（类型、ID、时间、数据）复制为 JSON 对象</translation>
    </message>
    <message>
        <source>Copy pretty JSO&amp;N</source>
        <translation>复制格式化的 JSON(&amp;N)</translation>
    </message>
    <message>
        <source>Copy the data as indented JSON</source>
        <translation>将数据复制为带缩进的 JSON</translation>
    </message>
    <message>
        <source>The data is not JSON, so there is no tree.</source>
        <translation>数据不是 JSON，因此没有树视图。</translation>
    </message>
    <message>
        <source>The data is larger than %1 and was not parsed as JSON.</source>
        <translation>数据大于 %1，未作为 JSON 解析。</translation>
    </message>
    <message>
        <source>1 byte</source>
        <translation>1 字节</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 字节</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>Showing the first %1 of %2: Copy pretty JSON copies all of it.</source>
        <translation>仅显示 %2 中的前 %1：“复制格式化的 JSON”会复制全部内容。</translation>
    </message>
    <message>
        <source>The data is larger than %1, so it was not parsed as JSON. Shown as plain text.</source>
        <translation>数据大于 %1，因此未作为 JSON 解析，以纯文本显示。</translation>
    </message>
    <message>
        <source>Not JSON: shown as plain text.</source>
        <translation>不是 JSON：以纯文本显示。</translation>
    </message>
    <message>
        <source>Showing the first %1 of %2: Copy data copies all of it.</source>
        <translation>仅显示 %2 中的前 %1：“复制数据”会复制全部内容。</translation>
    </message>
    <message>
        <source>(value)</source>
        <translation>（值）</translation>
    </message>
    <message>
        <source>{1 key}</source>
        <translation>{1 个键}</translation>
    </message>
    <message>
        <source>{%1 keys}</source>
        <translation>{%1 个键}</translation>
    </message>
    <message>
        <source>[1 item]</source>
        <translation>[1 项]</translation>
    </message>
    <message>
        <source>[%1 items]</source>
        <translation>[%1 项]</translation>
    </message>
    <message>
        <source>%1 more not shown: see the Pretty or Raw tab</source>
        <translation>另有 %1 项未显示：请查看“格式化”或“原始”标签页</translation>
    </message>
    <message>
        <source>Event data views</source>
        <translation>事件数据视图</translation>
    </message>
    <message>
        <source>Showing the first %1 of %2: too large to copy formatted, Copy data copies the data as received.</source>
        <translation>显示 %2 中的前 %1：太大，无法复制格式化文本，“复制数据”可复制收到的原始数据。</translation>
    </message>
    <message>
        <source>The formatted data would be %1, more than %2: use Copy data.</source>
        <translation>格式化后的数据将有 %1，超过 %2：请使用“复制数据”。</translation>
    </message>
    <message>
        <source>&amp;Apply as Column</source>
        <translation>作为列应用(&amp;A)</translation>
    </message>
    <message>
        <source>Show %1 as a column of the event log</source>
        <translation>将 %1 显示为事件日志的一列</translation>
    </message>
    <message>
        <source>Apply as Column for “%1” Events</source>
        <translation>作为列应用于“%1”事件</translation>
    </message>
    <message>
        <source>&amp;Copy Path</source>
        <translation>复制路径(&amp;C)</translation>
    </message>
    <message>
        <source>Note: %1</source>
        <translation>备注：%1</translation>
    </message>
    <message>
        <source>Compare with &amp;previous</source>
        <translation>与上一个比较(&amp;P)</translation>
    </message>
    <message>
        <source>Compare this event with the previous event of the same type and connection</source>
        <translation>将此事件与同一连接、同一类型的上一个事件进行比较</translation>
    </message>
</context>
<context>
    <name>EventDiffDialog</name>
    <message>
        <source>Compare Events</source>
        <translation>比较事件</translation>
    </message>
    <message>
        <source>Old: %1
New: %2</source>
        <translation>旧：%1
新：%2</translation>
    </message>
    <message>
        <source>The data of the two events is the same.</source>
        <translation>两个事件的数据相同。</translation>
    </message>
    <message numerus="yes">
        <source>%n path(s) differ (JSON compared by structure).</source>
        <translation>
            <numerusform>%n 个路径不同（按结构比较 JSON）。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n line(s) differ (the data is not JSON on both sides: compared by line).</source>
        <translation>
            <numerusform>%n 行不同（两边的数据并非都是 JSON：按行比较）。</numerusform>
        </translation>
    </message>
    <message>
        <source>Only the first %1 differences are listed.</source>
        <translation>仅列出前 %1 处差异。</translation>
    </message>
    <message>
        <source>Differences</source>
        <translation>差异</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>变化</translation>
    </message>
    <message>
        <source>Old value</source>
        <translation>旧值</translation>
    </message>
    <message>
        <source>New value</source>
        <translation>新值</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 · id %4</source>
        <translation>%1 · %2 · %3 · ID %4</translation>
    </message>
</context>
<context>
    <name>EventFilter</name>
    <message>
        <source>%1 (at offset %2)</source>
        <translation>%1（位于偏移 %2）</translation>
    </message>
</context>
<context>
    <name>EventLogModel</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>%1 (only “%2” events)</source>
        <translation>%1（仅“%2”事件）</translation>
    </message>
    <message>
        <source>Note: %1</source>
        <translation>备注：%1</translation>
    </message>
</context>
<context>
    <name>EventLogPane</name>
    <message>
        <source>Filtering… %1%</source>
        <translation>正在筛选… %1%</translation>
    </message>
    <message>
        <source>&amp;Pause Display</source>
        <translation>暂停显示(&amp;P)</translation>
    </message>
    <message>
        <source>Freeze the log while events keep arriving and being counted</source>
        <translation>冻结日志显示，事件仍会继续接收和计数</translation>
    </message>
    <message>
        <source>&amp;Follow Tail</source>
        <translation>跟随最新(&amp;F)</translation>
    </message>
    <message>
        <source>Keep the newest event in view</source>
        <translation>始终显示最新的事件</translation>
    </message>
    <message>
        <source>C&amp;lear Log</source>
        <translation>清空日志(&amp;L)</translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <source>Remove every event from the log</source>
        <translation>从日志中删除所有事件</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>查找(&amp;F)…</translation>
    </message>
    <message>
        <source>Search the event log</source>
        <translation>搜索事件日志</translation>
    </message>
    <message>
        <source>&amp;Copy Data</source>
        <translation>复制数据(&amp;C)</translation>
    </message>
    <message>
        <source>Copy the data of the selected events</source>
        <translation>复制所选事件的数据</translation>
    </message>
    <message>
        <source>Search data, type and id (Ctrl+F)</source>
        <translation>搜索数据、类型和 ID（Ctrl+F）</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Filters the event log as you type; Enter applies the filter at once</source>
        <translation>输入时即筛选事件日志；按 Enter 立即应用筛选</translation>
    </message>
    <message>
        <source>Re&amp;gex</source>
        <translation>正则(&amp;G)</translation>
    </message>
    <message>
        <source>Treat the search text as a regular expression</source>
        <translation>将搜索文本视为正则表达式</translation>
    </message>
    <message>
        <source>&amp;Aa</source>
        <translation>&amp;Aa</translation>
    </message>
    <message>
        <source>Case sensitive search</source>
        <translation>区分大小写搜索</translation>
    </message>
    <message>
        <source>Case sensitive</source>
        <translation>区分大小写</translation>
    </message>
    <message>
        <source>Connection filter</source>
        <translation>连接筛选</translation>
    </message>
    <message>
        <source>Event log</source>
        <translation>事件日志</translation>
    </message>
    <message>
        <source>Newest events at the bottom; the selected event is shown in the Detail tab (Alt+4)</source>
        <translation>最新的事件在底部；所选事件显示在“详情”标签页中（Alt+4）</translation>
    </message>
    <message>
        <source>Showing %1 of %2</source>
        <translation>显示 %1 / %2</translation>
    </message>
    <message>
        <source> · %1 evicted</source>
        <translation> · 已淘汰 %1</translation>
    </message>
    <message>
        <source> · %1 new</source>
        <translation> · 新增 %1</translation>
    </message>
    <message>
        <source>Resume (%1 new)</source>
        <translation>继续（新增 %1）</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Only %1</source>
        <translation>仅 %1</translation>
    </message>
    <message numerus="yes">
        <source>Only %n connection(s)</source>
        <translation>
            <numerusform>仅 %n 个连接</numerusform>
        </translation>
    </message>
    <message>
        <source> · %1 hidden</source>
        <translation> · 已隐藏 %1 条</translation>
    </message>
    <message>
        <source>Invalid regular expression: %1</source>
        <translation>无效的正则表达式：%1</translation>
    </message>
    <message>
        <source>Jump to latest ↓</source>
        <translation>跳到最新 ↓</translation>
    </message>
    <message>
        <source>Show the newest event and follow the tail again (End)</source>
        <translation>显示最新事件并重新跟随末尾（End）</translation>
    </message>
    <message>
        <source>No events yet. They appear here as the connections receive them.</source>
        <translation>尚无事件。连接收到事件后会显示在这里。</translation>
    </message>
    <message>
        <source>No event matches the search, the display filter, the ticked types or the selected connections (%1 stored).</source>
        <translation>没有事件符合搜索、显示过滤器、勾选的类型或所选连接（已存储 %1 条）。</translation>
    </message>
    <message>
        <source>Columns from &amp;Fields…</source>
        <translation>字段列(&amp;F)…</translation>
    </message>
    <message>
        <source>Add, remove and order JSON-path columns of the event log</source>
        <translation>添加、删除和排列事件日志的 JSON 路径列</translation>
    </message>
    <message>
        <source>Colouring &amp;Rules…</source>
        <translation>着色规则(&amp;R)…</translation>
    </message>
    <message>
        <source>Colour the rows of the event log by filter expressions</source>
        <translation>按过滤表达式为事件日志的行着色</translation>
    </message>
    <message>
        <source> · %1 marked</source>
        <translation> · 已标记 %1</translation>
    </message>
    <message>
        <source>&amp;Mark/Unmark Event</source>
        <translation>标记/取消标记事件(&amp;M)</translation>
    </message>
    <message>
        <source>Ctrl+M</source>
        <translation>Ctrl+M</translation>
    </message>
    <message>
        <source>Mark the selected events, or unmark them if all are marked</source>
        <translation>标记所选事件；若已全部标记则取消标记</translation>
    </message>
    <message>
        <source>Next Mar&amp;k</source>
        <translation>下一个标记(&amp;K)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+N</source>
        <translation>Ctrl+Shift+N</translation>
    </message>
    <message>
        <source>Go to the next marked event</source>
        <translation>转到下一个已标记的事件</translation>
    </message>
    <message>
        <source>Previous Mark</source>
        <translation>上一个标记</translation>
    </message>
    <message>
        <source>Ctrl+Shift+B</source>
        <translation>Ctrl+Shift+B</translation>
    </message>
    <message>
        <source>Go to the previous marked event</source>
        <translation>转到上一个已标记的事件</translation>
    </message>
    <message>
        <source>Set/Unset &amp;Time Reference</source>
        <translation>设置/取消时间参考(&amp;T)</translation>
    </message>
    <message>
        <source>Ctrl+T</source>
        <translation>Ctrl+T</translation>
    </message>
    <message>
        <source>Count the times of the other events from this one (it shows *REF*)</source>
        <translation>以此事件为起点计算其他事件的时间（它显示 *REF*）</translation>
    </message>
    <message>
        <source>Add &amp;Note…</source>
        <translation>添加备注(&amp;N)…</translation>
    </message>
    <message>
        <source>Write a note on the event; it is saved in the recording</source>
        <translation>为事件写一条备注；备注会保存在录制文件中</translation>
    </message>
    <message>
        <source>Co&amp;mpare</source>
        <translation>比较(&amp;M)</translation>
    </message>
    <message>
        <source>Show what differs between the two selected events</source>
        <translation>显示两个所选事件之间的差异</translation>
    </message>
    <message>
        <source>&amp;Time of Day</source>
        <translation>当日时间(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Date and Time of Day</source>
        <translation>日期和当日时间(&amp;D)</translation>
    </message>
    <message>
        <source>Seconds Since &amp;First Event</source>
        <translation>距第一个事件的秒数(&amp;F)</translation>
    </message>
    <message>
        <source>Seconds Since &amp;Previous Shown Event</source>
        <translation>距上一个显示事件的秒数(&amp;P)</translation>
    </message>
    <message>
        <source>Seconds Since Time &amp;Reference</source>
        <translation>距时间参考的秒数(&amp;R)</translation>
    </message>
    <message>
        <source>Time Display &amp;Format</source>
        <translation>时间显示格式(&amp;F)</translation>
    </message>
    <message>
        <source>Edit &amp;Note…</source>
        <translation>编辑备注(&amp;N)…</translation>
    </message>
    <message>
        <source>Not every event could be marked: the marks and notes are using all the memory set aside for them. Unmark some events first.</source>
        <translation>并非所有事件都能被标记：标记和备注已用尽为它们预留的内存。请先取消标记一些事件。</translation>
    </message>
    <message>
        <source>Note on Event</source>
        <translation>事件备注</translation>
    </message>
    <message>
        <source>Note (saved with the event in the recording; empty removes it):</source>
        <translation>备注（随事件保存在录制文件中；留空则删除）：</translation>
    </message>
    <message>
        <source>The note is too long: at most %1 characters.</source>
        <translation>备注过长：最多 %1 个字符。</translation>
    </message>
    <message>
        <source>The note could not be kept: the marks and notes are using all the memory set aside for them.</source>
        <translation>无法保存备注：标记和备注已用尽为它们预留的内存。</translation>
    </message>
    <message>
        <source>The log shows only %1, selected in the Connections pane. Click to show all connections.</source>
        <translation>日志仅显示在“连接”窗格中选中的 %1。单击以显示全部连接。</translation>
    </message>
</context>
<context>
    <name>ExportConnectionsDialog</name>
    <message>
        <source>Export Connections</source>
        <translation>导出连接</translation>
    </message>
    <message>
        <source>Writes every connection to a JSON file that SSE Monitor can import and sse-monitor-cli --profiles-file can use.</source>
        <translation>将所有连接写入一个 JSON 文件，SSE Monitor 可以导入它，sse-monitor-cli --profiles-file 也可以使用它。</translation>
    </message>
    <message>
        <source>&amp;Include secret header values</source>
        <translation>包含机密请求头的值(&amp;I)</translation>
    </message>
    <message>
        <source>The file will hold tokens, passwords and cookies in plain text. Keep it private.</source>
        <translation>该文件将以明文保存令牌、密码和 Cookie，请妥善保管。</translation>
    </message>
</context>
<context>
    <name>ExportEventsDialog</name>
    <message>
        <source>Export Events</source>
        <translation>导出事件</translation>
    </message>
    <message>
        <source>All events (%1)</source>
        <translation>全部事件（%1）</translation>
    </message>
    <message>
        <source>Filtered events (%1)</source>
        <translation>筛选后的事件（%1）</translation>
    </message>
    <message>
        <source>Selected events (%1)</source>
        <translation>所选事件（%1）</translation>
    </message>
    <message>
        <source>JSON Lines (.jsonl)</source>
        <translation>JSON Lines (.jsonl)</translation>
    </message>
    <message>
        <source>CSV (.csv)</source>
        <translation>CSV (.csv)</translation>
    </message>
    <message>
        <source>SSE text (.txt)</source>
        <translation>SSE 文本 (.txt)</translation>
    </message>
    <message>
        <source>&amp;Events:</source>
        <translation>事件(&amp;E)：</translation>
    </message>
    <message>
        <source>&amp;Format:</source>
        <translation>格式(&amp;F)：</translation>
    </message>
    <message>
        <source>&amp;Columns:</source>
        <translation>列(&amp;C)：</translation>
    </message>
    <message>
        <source>Not seen in the events so far (the column stays empty): %1</source>
        <translation>目前的事件中尚未出现（该列将为空）：%1</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>SSE text (*.txt *.sse)</source>
        <translation>SSE 文本 (*.txt *.sse)</translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl)</source>
        <translation>JSON Lines (*.jsonl)</translation>
    </message>
    <message>
        <source>Add a &amp;rule column (the colouring rule each event matches)</source>
        <translation>添加规则列(&amp;R)（每个事件匹配的着色规则）</translation>
    </message>
    <message>
        <source>Marked events (%1)</source>
        <translation>已标记的事件（%1）</translation>
    </message>
    <message>
        <source>HTML table (.html)</source>
        <translation>HTML 表格 (.html)</translation>
    </message>
    <message>
        <source>CSV and HTML: JSON paths as extra columns, e.g. usage.output_tokens, price</source>
        <translation>CSV 和 HTML：作为额外列的 JSON 路径，例如 usage.output_tokens, price</translation>
    </message>
    <message>
        <source>Colouring &amp;rules: name column and row colours</source>
        <translation>着色规则(&amp;R)：名称列和行颜色</translation>
    </message>
    <message>
        <source>HTML (*.html *.htm)</source>
        <translation>HTML (*.html *.htm)</translation>
    </message>
</context>
<context>
    <name>ExportJob</name>
    <message>
        <source> (%1 events were evicted from the log before they could be exported)</source>
        <translation>（有 %1 个事件在导出前已被日志淘汰）</translation>
    </message>
</context>
<context>
    <name>ExporterWorker</name>
    <message>
        <source>Cannot create %1: %2</source>
        <translation>无法创建 %1：%2</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Export cancelled</source>
        <translation>导出已取消</translation>
    </message>
    <message>
        <source>Cannot save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
    <message>
        <source>Exported %1 events to %2</source>
        <translation>已将 %1 个事件导出到 %2</translation>
    </message>
</context>
<context>
    <name>FieldColumnsDialog</name>
    <message>
        <source>Columns from Fields</source>
        <translation>字段列</translation>
    </message>
    <message>
        <source>Each column shows a JSON path of the event data, e.g. data.usage.output_tokens or choices[0].delta.content. Leave the type empty to show it for every event type.</source>
        <translation>每一列显示事件数据中的一个 JSON 路径，例如 data.usage.output_tokens 或 choices[0].delta.content。类型留空则对所有事件类型显示。</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>JSON path</source>
        <translation>JSON 路径</translation>
    </message>
    <message>
        <source>Event type</source>
        <translation>事件类型</translation>
    </message>
    <message>
        <source>Not a JSON path: use .name, [n] or [&quot;name&quot;] steps</source>
        <translation>不是 JSON 路径：请使用 .name、[n] 或 [&quot;name&quot;] 步骤</translation>
    </message>
    <message>
        <source>Row %1: &quot;%2&quot; is not a JSON path.</source>
        <translation>第 %1 行：“%2”不是 JSON 路径。</translation>
    </message>
    <message>
        <source>At most %1 columns.</source>
        <translation>最多 %1 列。</translation>
    </message>
</context>
<context>
    <name>FilterBar</name>
    <message>
        <source>Display filter, e.g. type == &quot;trade&quot; &amp;&amp; data.price &gt; 100 (Ctrl+Space completes)</source>
        <translation>显示过滤器，例如 type == &quot;trade&quot; &amp;&amp; data.price &gt; 100（Ctrl+Space 补全）</translation>
    </message>
    <message>
        <source>Display filter</source>
        <translation>显示过滤器</translation>
    </message>
    <message>
        <source>A filter expression over the event fields and the JSON paths of the data; green when valid, red with the error beside it</source>
        <translation>基于事件字段和数据 JSON 路径的过滤表达式；有效时为绿色，无效时为红色并在旁边显示错误</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>过滤器</translation>
    </message>
    <message>
        <source>Recent and saved display filters</source>
        <translation>最近使用和已保存的显示过滤器</translation>
    </message>
    <message>
        <source>Fi&amp;lter:</source>
        <translation>过滤器(&amp;L)：</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>已保存</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Recent</source>
        <translation>最近使用</translation>
    </message>
    <message>
        <source>&amp;Save Current Filter…</source>
        <translation>保存当前过滤器(&amp;S)…</translation>
    </message>
    <message>
        <source>Save Display Filter</source>
        <translation>保存显示过滤器</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>&amp;Remove Saved Filter</source>
        <translation>删除已保存的过滤器(&amp;R)</translation>
    </message>
</context>
<context>
    <name>HealthMessages</name>
    <message>
        <source>Unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Healthy</source>
        <translation>健康</translation>
    </message>
    <message>
        <source>Stalled</source>
        <translation>停滞</translation>
    </message>
    <message>
        <source>Reconnecting often</source>
        <translation>频繁重连</translation>
    </message>
    <message>
        <source>Gaps</source>
        <translation>缺口</translation>
    </message>
    <message>
        <source>Truncated</source>
        <translation>被截断</translation>
    </message>
    <message>
        <source>Error mid-stream</source>
        <translation>流中途出错</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>the connection failed</source>
        <translation>连接失败</translation>
    </message>
    <message>
        <source>heartbeats only for %1 s</source>
        <translation>%1 秒内只有心跳</translation>
    </message>
    <message>
        <source>no bytes for %1 s</source>
        <translation>%1 秒内没有任何字节</translation>
    </message>
    <message>
        <source>%1 reconnects in %2 min</source>
        <translation>%2 分钟内重连 %1 次</translation>
    </message>
    <message>
        <source>the provider reported an error</source>
        <translation>服务提供方报告了错误</translation>
    </message>
    <message>
        <source>the response ended without its terminal marker</source>
        <translation>响应结束时没有终止标记</translation>
    </message>
    <message>
        <source>reconnecting</source>
        <translation>正在重连</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>正在连接</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>%1 so far, last: id %2 after id %3</source>
        <translation>共 %1 个，最近一次：ID %3 之后是 ID %2</translation>
    </message>
</context>
<context>
    <name>HelpDialogs</name>
    <message>
        <source>User Guide</source>
        <translation>用户指南</translation>
    </message>
    <message>
        <source>The user guide is not available.</source>
        <translation>用户指南不可用。</translation>
    </message>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
</context>
<context>
    <name>Http2Messages</name>
    <message>
        <source>The response has no valid status code</source>
        <translation>响应没有有效的状态码</translation>
    </message>
    <message>
        <source>The response head is larger than the client accepts (%1 KiB or %2 header fields)</source>
        <translation>响应头超出客户端可接受的大小（%1 KiB 或 %2 个头字段）</translation>
    </message>
    <message>
        <source>The server is closing the HTTP/2 connection (GOAWAY) and did not take the request</source>
        <translation>服务器正在关闭 HTTP/2 连接（GOAWAY），未接受该请求</translation>
    </message>
    <message>
        <source>The server refused the HTTP/2 stream</source>
        <translation>服务器拒绝了 HTTP/2 流</translation>
    </message>
    <message>
        <source>The server reset the HTTP/2 stream (%1)</source>
        <translation>服务器重置了 HTTP/2 流（%1）</translation>
    </message>
    <message>
        <source>The HTTP/2 connection did not answer a PING within %1 s</source>
        <translation>HTTP/2 连接在 %1 秒内没有响应 PING</translation>
    </message>
    <message>
        <source>The HTTP/2 request could not be sent (%1)</source>
        <translation>无法发送 HTTP/2 请求（%1）</translation>
    </message>
    <message>
        <source>The server broke the HTTP/2 protocol (%1)</source>
        <translation>服务器违反了 HTTP/2 协议（%1）</translation>
    </message>
    <message>
        <source>The server closed the HTTP/2 connection</source>
        <translation>服务器关闭了 HTTP/2 连接</translation>
    </message>
    <message>
        <source>The HTTP/2 connection failed: %1</source>
        <translation>HTTP/2 连接失败：%1</translation>
    </message>
    <message>
        <source>The server does not speak HTTP/2 with prior knowledge (%1); try without --http2-prior-knowledge</source>
        <translation>服务器不支持预先知晓方式的 HTTP/2（%1）；请去掉 --http2-prior-knowledge 再试</translation>
    </message>
</context>
<context>
    <name>JsonDiff</name>
    <message>
        <source>line %1</source>
        <translation>第 %1 行</translation>
    </message>
    <message>
        <source>Added</source>
        <translation>新增</translation>
    </message>
    <message>
        <source>Removed</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>修改</translation>
    </message>
</context>
<context>
    <name>JsonText</name>
    <message>
        <source>%1 at byte %2</source>
        <translation>%1（位于第 %2 字节）</translation>
    </message>
    <message>
        <source>object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>array</source>
        <translation>数组</translation>
    </message>
    <message>
        <source>string</source>
        <translation>字符串</translation>
    </message>
    <message>
        <source>number</source>
        <translation>数字</translation>
    </message>
    <message>
        <source>boolean</source>
        <translation>布尔值</translation>
    </message>
    <message>
        <source>null</source>
        <translation>null</translation>
    </message>
</context>
<context>
    <name>LlmPane</name>
    <message>
        <source>LLM responses</source>
        <translation>LLM 响应</translation>
    </message>
    <message>
        <source>Raw text</source>
        <translation>原始文本</translation>
    </message>
    <message>
        <source>Show the assembled text as sent instead of rendering it as Markdown</source>
        <translation>按发送原样显示拼接后的文本，而不是渲染为 Markdown</translation>
    </message>
    <message>
        <source>Assembled text</source>
        <translation>拼接后的文本</translation>
    </message>
    <message>
        <source>No text in this response</source>
        <translation>此响应中没有文本</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>推理</translation>
    </message>
    <message>
        <source>Tool calls</source>
        <translation>工具调用</translation>
    </message>
    <message>
        <source>No LLM response on this connection yet. OpenAI Chat Completions and Responses, Anthropic Messages and Gemini streams (and compatible servers) are recognised by their events.</source>
        <translation>此连接上还没有 LLM 响应。OpenAI Chat Completions 和 Responses、Anthropic Messages 以及 Gemini 流（及兼容服务器）会根据其事件内容识别。</translation>
    </message>
    <message>
        <source>finish reason: %1</source>
        <translation>结束原因：%1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>TTFB %1 · first event %2 · TTFT %3 · duration %4 · %5 chunks · %6</source>
        <translation>首字节 %1 · 首个事件 %2 · 首个 token %3 · 时长 %4 · %5 个分块 · %6</translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>%1 token/秒</translation>
    </message>
    <message>
        <source>tokens/s unknown</source>
        <translation>token/秒 未知</translation>
    </message>
    <message>
        <source>Tokens: input %1 (cached %2) · output %3 (reasoning %4) · total %5</source>
        <translation>Token：输入 %1（缓存 %2）· 输出 %3（推理 %4）· 合计 %5</translation>
    </message>
    <message>
        <source>Tokens: the stream sent no usage (OpenAI: set stream_options.include_usage)</source>
        <translation>Token：流中没有用量信息（OpenAI：请设置 stream_options.include_usage）</translation>
    </message>
    <message>
        <source>Reasoning (%1 characters)</source>
        <translation>推理（%1 个字符）</translation>
    </message>
    <message>
        <source>Reasoning (none)</source>
        <translation>推理（无）</translation>
    </message>
    <message>
        <source>Tool calls: %1</source>
        <translation>工具调用：%1</translation>
    </message>
    <message>
        <source>not valid JSON</source>
        <translation>不是有效的 JSON</translation>
    </message>
    <message>
        <source>Copy Text (Markdown)</source>
        <translation>复制文本（Markdown）</translation>
    </message>
    <message>
        <source>Copy Reasoning</source>
        <translation>复制推理</translation>
    </message>
    <message>
        <source>Copy Tool Call Arguments</source>
        <translation>复制工具调用参数</translation>
    </message>
    <message>
        <source>Copy Summary (JSON)</source>
        <translation>复制摘要（JSON）</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Export Summary (JSON)…</source>
        <translation>导出摘要（JSON）…</translation>
    </message>
    <message>
        <source>Export Text (Markdown)…</source>
        <translation>导出文本（Markdown）…</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Export Summary</source>
        <translation>导出摘要</translation>
    </message>
    <message>
        <source>Export Text</source>
        <translation>导出文本</translation>
    </message>
    <message>
        <source>JSON (*.json);;All files (*)</source>
        <translation>JSON (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Markdown (*.md);;All files (*)</source>
        <translation>Markdown (*.md);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>LlmResponseModel</name>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Error mid-stream: %1 &quot;%2&quot;</source>
        <translation>流中途出错：%1 “%2”</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>完整</translation>
    </message>
    <message>
        <source>Streaming: %1 chunks</source>
        <translation>传输中：%1 个分块</translation>
    </message>
    <message>
        <source>Truncated: no %1 after %2 chunks</source>
        <translation>被截断：%2 个分块后没有 %1</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>提供方</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>结论</translation>
    </message>
    <message>
        <source>Tokens (in → out)</source>
        <translation>Token（输入 → 输出）</translation>
    </message>
</context>
<context>
    <name>LlmTimingChart</name>
    <message>
        <source>Gap between chunks</source>
        <translation>分块间隔</translation>
    </message>
    <message>
        <source>Seconds since the request</source>
        <translation>自请求起的秒数</translation>
    </message>
    <message>
        <source>Gap (ms)</source>
        <translation>间隔（毫秒）</translation>
    </message>
    <message>
        <source>Timing chart</source>
        <translation>时序图</translation>
    </message>
    <message>
        <source>No per-chunk timing for this response (recordings made before timelines were kept have none)</source>
        <translation>此响应没有逐分块的时序数据（在记录时间线之前制作的录制文件没有这些数据）</translation>
    </message>
    <message>
        <source>est. tokens/s</source>
        <translation>估算 token/秒</translation>
    </message>
    <message>
        <source>Tokens/s</source>
        <translation>token/秒</translation>
    </message>
    <message>
        <source>Tokens/s is an estimate: the stream gave no token count per chunk, so each interval&apos;s share of the output tokens is taken from the text it added.</source>
        <translation>token/秒 为估算值：流没有给出每个分块的 token 数，因此每个区间所占的输出 token 份额按其新增的文本计算。</translation>
    </message>
    <message>
        <source>Tokens/s from the token counts the stream reported as it went.</source>
        <translation>token/秒 来自流在传输过程中报告的 token 数。</translation>
    </message>
    <message>
        <source>Mean gap between chunks and output tokens per second over the response.</source>
        <translation>整个响应过程中分块之间的平均间隔和每秒输出 token 数。</translation>
    </message>
    <message numerus="yes">
        <source>All %n chunk(s) so far arrived within one millisecond: no gaps to chart</source>
        <translation>
            <numerusform>目前全部 %n 个分块都在一毫秒内到达：没有可绘制的间隔</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LogImporter</name>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
</context>
<context>
    <name>MainStatusBar</name>
    <message>
        <source>No connection selected</source>
        <translation>未选择连接</translation>
    </message>
    <message>
        <source> · retry %1 ms</source>
        <translation> · 重试 %1 毫秒</translation>
    </message>
    <message>
        <source> · last byte %1 s ago</source>
        <translation> · 最后字节于 %1 秒前</translation>
    </message>
    <message numerus="yes">
        <source>%1 open · %Ln event(s) · %2/s</source>
        <translation>
            <numerusform>%1 个已连接 · %Ln 个事件 · %2/秒</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>● REC %1 · %2 · %Ln event(s)</source>
        <translation>
            <numerusform>● 录制 %1 · %2 · %Ln 个事件</numerusform>
        </translation>
    </message>
    <message>
        <source>Recording failed</source>
        <translation>录制失败</translation>
    </message>
    <message>
        <source>Cancel export</source>
        <translation>取消导出</translation>
    </message>
    <message>
        <source> · LLM: %1</source>
        <translation> · LLM：%1</translation>
    </message>
    <message>
        <source> · health: %1</source>
        <translation> · 健康状况：%1</translation>
    </message>
    <message>
        <source> · %1 unhealthy</source>
        <translation> · %1 个不健康</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>SSE Monitor</source>
        <translation>SSE Monitor</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Quit SSE Monitor</source>
        <translation>退出 SSE Monitor</translation>
    </message>
    <message>
        <source>Log &amp;Capacity…</source>
        <translation>日志容量(&amp;C)…</translation>
    </message>
    <message>
        <source>How many events the log keeps before evicting the oldest</source>
        <translation>日志在淘汰最旧事件之前保留的事件数</translation>
    </message>
    <message>
        <source>Log Capacity</source>
        <translation>日志容量</translation>
    </message>
    <message>
        <source>Events kept in the log (oldest are evicted):</source>
        <translation>日志保留的事件数（超出时淘汰最旧的）：</translation>
    </message>
    <message>
        <source>&amp;About SSE Monitor</source>
        <translation>关于 SSE Monitor(&amp;A)</translation>
    </message>
    <message>
        <source>Version and credits</source>
        <translation>版本和致谢</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Connection</source>
        <translation>连接(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Demo stream</source>
        <translation>演示流</translation>
    </message>
    <message>
        <source>The demo server could not start: %1</source>
        <translation>演示服务器无法启动：%1</translation>
    </message>
    <message>
        <source>About SSE Monitor</source>
        <translation>关于 SSE Monitor</translation>
    </message>
    <message>
        <source>&lt;h3&gt;SSE Monitor %1&lt;/h3&gt;&lt;p&gt;A monitor for Server-Sent Events streams: live event log, type filters, search, JSON detail, numeric charts, reconnect state, recording and export.&lt;/p&gt;&lt;p&gt;Built with Qt %2.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;SSE Monitor %1&lt;/h3&gt;&lt;p&gt;Server-Sent Events 流监视器：实时事件日志、类型筛选、搜索、JSON 详情、数值图表、重连状态、录制和导出。&lt;/p&gt;&lt;p&gt;基于 Qt %2 构建。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Go to &amp;Connections</source>
        <translation>转到连接列表(&amp;C)</translation>
    </message>
    <message>
        <source>Alt+1</source>
        <translation>Alt+1</translation>
    </message>
    <message>
        <source>Go to Event &amp;Types</source>
        <translation>转到事件类型(&amp;T)</translation>
    </message>
    <message>
        <source>Alt+2</source>
        <translation>Alt+2</translation>
    </message>
    <message>
        <source>Go to Event &amp;Log</source>
        <translation>转到事件日志(&amp;L)</translation>
    </message>
    <message>
        <source>Alt+3</source>
        <translation>Alt+3</translation>
    </message>
    <message>
        <source>Go to &amp;Details</source>
        <translation>转到详情(&amp;D)</translation>
    </message>
    <message>
        <source>Alt+4</source>
        <translation>Alt+4</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The new language takes effect when SSE Monitor is restarted.</source>
        <translation>新的语言将在 SSE Monitor 重新启动后生效。</translation>
    </message>
    <message>
        <source>Log &amp;Memory Budget…</source>
        <translation>日志内存上限(&amp;M)…</translation>
    </message>
    <message>
        <source>How many megabytes of events the log keeps before evicting the oldest</source>
        <translation>日志在移除最早事件之前最多保留多少兆字节的事件</translation>
    </message>
    <message>
        <source>Log Memory Budget</source>
        <translation>日志内存上限</translation>
    </message>
    <message>
        <source>MiB of events kept in the log (oldest are evicted):</source>
        <translation>日志中保留的事件大小（MiB，超出时移除最早的事件）：</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>警报</translation>
    </message>
    <message>
        <source>&amp;User Guide</source>
        <translation>用户指南(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>Secrets can&apos;t be saved: no keychain service is running. They stay in memory for this session.</source>
        <translation>无法保存机密：没有正在运行的密钥环服务。它们仅在本次会话中保存在内存里。</translation>
    </message>
    <message>
        <source>The keychain said: %1
Connection &gt; Store Secrets in Plain Text If No Keychain keeps them in the settings file instead, unencrypted.</source>
        <translation>密钥环报告：%1
“连接 &gt; 无密钥环时以明文存储机密”会改为将它们未加密地保存在设置文件中。</translation>
    </message>
    <message>
        <source>The event of this alert is no longer in the log: it was evicted to stay within the log&apos;s memory limit</source>
        <translation>此警报的事件已不在日志中：为了不超出日志的内存上限，它已被淘汰</translation>
    </message>
    <message>
        <source>The event of this alert is not shown: the log&apos;s filter, search or connection scope hides it, or the display is paused</source>
        <translation>此警报的事件未显示：日志的过滤器、搜索或连接范围隐藏了它，或者显示已暂停</translation>
    </message>
</context>
<context>
    <name>MockServerDialog</name>
    <message>
        <source>Mock Server</source>
        <translation>模拟服务器</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <source>any free</source>
        <translation>任意空闲端口</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>启动</translation>
    </message>
    <message>
        <source>Not serving</source>
        <translation>未在服务</translation>
    </message>
    <message>
        <source>Stream URL</source>
        <translation>流 URL</translation>
    </message>
    <message>
        <source>Event to send</source>
        <translation>要发送的事件</translation>
    </message>
    <message>
        <source>Type:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Id:</source>
        <translation>ID：</translation>
    </message>
    <message>
        <source>Data; each line becomes a data: line</source>
        <translation>数据；每一行成为一个 data: 行</translation>
    </message>
    <message>
        <source>Data:</source>
        <translation>数据：</translation>
    </message>
    <message>
        <source>Send to All Clients</source>
        <translation>发送给所有客户端</translation>
    </message>
    <message>
        <source>Connected clients:</source>
        <translation>已连接的客户端：</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>连接时间</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件数</translation>
    </message>
    <message>
        <source>Connected clients</source>
        <translation>已连接的客户端</translation>
    </message>
    <message>
        <source>Cannot listen on port %1: %2</source>
        <translation>无法在端口 %1 上监听：%2</translation>
    </message>
    <message>
        <source>The type and id must be on one line (the id without NUL)</source>
        <translation>类型和 ID 必须在一行内（ID 不能含 NUL）</translation>
    </message>
    <message numerus="yes">
        <source>Sent to %n client(s)</source>
        <translation>
            <numerusform>已发送给 %n 个客户端</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Serving %1 - %n client(s) connected</source>
        <translation>
            <numerusform>正在提供 %1 - 已连接 %n 个客户端</numerusform>
        </translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Start the server, point an EventSource at the URL, then send events by hand.</source>
        <translation>启动服务器，把 EventSource 指向该 URL，然后手动发送事件。</translation>
    </message>
    <message>
        <source>Faults (for clients that connect from now on)</source>
        <translation>故障（对此后连接的客户端生效）</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source>Drop each connection after this many events</source>
        <translation>每个连接在这么多事件后断开</translation>
    </message>
    <message>
        <source>orderly close</source>
        <translation>正常关闭</translation>
    </message>
    <message>
        <source>TCP reset</source>
        <translation>TCP 重置</translation>
    </message>
    <message>
        <source>in the middle of an event</source>
        <translation>在事件中途</translation>
    </message>
    <message>
        <source>How the connection is dropped</source>
        <translation>连接的断开方式</translation>
    </message>
    <message>
        <source>Drop after events:</source>
        <translation>在多少事件后断开：</translation>
    </message>
    <message>
        <source>off (200, the stream)</source>
        <translation>关闭（200，正常流）</translation>
    </message>
    <message>
        <source>Answer every request with this HTTP status</source>
        <translation>用此 HTTP 状态码回应每个请求</translation>
    </message>
    <message>
        <source>Answer with status:</source>
        <translation>回应状态码：</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> 毫秒</translation>
    </message>
    <message>
        <source>retry: line at the start of each stream</source>
        <translation>每个流开头的 retry: 行</translation>
    </message>
    <message>
        <source>retry: line:</source>
        <translation>retry: 行：</translation>
    </message>
    <message>
        <source>Leave out id: lines</source>
        <translation>省略 id: 行</translation>
    </message>
    <message>
        <source>Compress with gzip</source>
        <translation>用 gzip 压缩</translation>
    </message>
    <message>
        <source>Stream</source>
        <translation>流</translation>
    </message>
    <message>
        <source>What each client gets</source>
        <translation>每个客户端收到的内容</translation>
    </message>
    <message>
        <source>Empty: only the events sent by hand</source>
        <translation>空：只有手动发送的事件</translation>
    </message>
    <message>
        <source>A recording, then held open</source>
        <translation>一段录制，之后保持打开</translation>
    </message>
    <message>
        <source>Serve:</source>
        <translation>提供：</translation>
    </message>
    <message>
        <source>No recording chosen</source>
        <translation>未选择录制</translation>
    </message>
    <message>
        <source>Choose &amp;Recording…</source>
        <translation>选择录制(&amp;R)…</translation>
    </message>
    <message>
        <source>Recording:</source>
        <translation>录制：</translation>
    </message>
    <message>
        <source>Replay speed</source>
        <translation>回放速度</translation>
    </message>
    <message>
        <source>as fast as possible</source>
        <translation>尽可能快</translation>
    </message>
    <message>
        <source>Speed:</source>
        <translation>速度：</translation>
    </message>
    <message>
        <source>Serve Recording</source>
        <translation>提供录制</translation>
    </message>
    <message>
        <source>Recordings (*.jsonl *.sse *.txt);;All files (*)</source>
        <translation>录制 (*.jsonl *.sse *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>正在读取 %1…</translation>
    </message>
    <message>
        <source>more than %1 MiB of events: too large to serve from memory</source>
        <translation>事件超过 %1 MiB：太大，无法从内存提供</translation>
    </message>
    <message>
        <source>no events in it</source>
        <translation>其中没有事件</translation>
    </message>
    <message>
        <source>Cannot serve %1: %2</source>
        <translation>无法提供 %1：%2</translation>
    </message>
    <message numerus="yes">
        <source>%1: %Ln event(s)</source>
        <translation>
            <numerusform>%1：%Ln 个事件</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot serve %1</source>
        <translation>无法提供 %1</translation>
    </message>
</context>
<context>
    <name>NoticeBar</name>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>ProxyMessages</name>
    <message>
        <source>the request did not arrive in time</source>
        <translation>请求未按时到达</translation>
    </message>
    <message>
        <source>the request head is too large</source>
        <translation>请求头过大</translation>
    </message>
    <message>
        <source>not an HTTP/1.1 request line</source>
        <translation>不是 HTTP/1.1 请求行</translation>
    </message>
    <message>
        <source>this is a reverse proxy: use it as the base URL, not as a forward proxy</source>
        <translation>这是反向代理：请把它用作基础 URL，而不是正向代理</translation>
    </message>
    <message>
        <source>a malformed header line</source>
        <translation>格式错误的请求头行</translation>
    </message>
    <message>
        <source>both Transfer-Encoding and Content-Length</source>
        <translation>同时带有 Transfer-Encoding 和 Content-Length</translation>
    </message>
    <message>
        <source>a request body of unknown length</source>
        <translation>请求体长度未知</translation>
    </message>
    <message>
        <source>an invalid Content-Length</source>
        <translation>无效的 Content-Length</translation>
    </message>
    <message>
        <source>the request body is larger than the proxy takes</source>
        <translation>请求体超过代理可接受的大小</translation>
    </message>
    <message>
        <source>a malformed chunked request body</source>
        <translation>格式错误的分块请求体</translation>
    </message>
    <message>
        <source>events not read: content encoding %1</source>
        <translation>未读取事件：内容编码 %1</translation>
    </message>
    <message>
        <source>events not read further: the compressed body does not inflate</source>
        <translation>不再读取事件：压缩的响应体无法解压</translation>
    </message>
    <message>
        <source>events not read further: an event larger than %1 MiB</source>
        <translation>不再读取事件：有事件大于 %1 MiB</translation>
    </message>
    <message>
        <source>no response</source>
        <translation>无响应</translation>
    </message>
    <message>
        <source>upstream %1 failed: %2</source>
        <translation>上游 %1 失败：%2</translation>
    </message>
    <message>
        <source>the upstream response was cut: %1</source>
        <translation>上游响应被截断：%1</translation>
    </message>
    <message>
        <source>the client closed the connection; upstream request aborted</source>
        <translation>客户端关闭了连接；已中止上游请求</translation>
    </message>
    <message>
        <source>the proxy &quot;%1&quot; is not a valid URL (expected http://host:port, socks5://host:port or socks5h://host:port)</source>
        <translation>代理“%1”不是有效的 URL（应为 http://主机:端口、socks5://主机:端口 或 socks5h://主机:端口）</translation>
    </message>
    <message>
        <source>the proxy scheme &quot;%1&quot; is not supported: use http, socks5 or socks5h</source>
        <translation>不支持代理协议“%1”：请使用 http、socks5 或 socks5h</translation>
    </message>
    <message>
        <source>a proxy URL has no path (&quot;%1&quot;)</source>
        <translation>代理 URL 不能带路径（“%1”）</translation>
    </message>
    <message>
        <source>%1 (from the environment variable %2)</source>
        <translation>%1（来自环境变量 %2）</translation>
    </message>
</context>
<context>
    <name>RecorderWorker</name>
    <message>
        <source>nothing could be written</source>
        <translation>无法写入任何内容</translation>
    </message>
    <message>
        <source>Cannot open %1 for writing: %2</source>
        <translation>无法以写入方式打开 %1：%2</translation>
    </message>
    <message>
        <source>Cannot write to %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>%1 was removed or replaced while recording</source>
        <translation>录制期间 %1 被删除或替换</translation>
    </message>
</context>
<context>
    <name>RecordingCommands</name>
    <message>
        <source>&amp;Open Recording…</source>
        <translation>打开录制文件(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a JSON Lines recording or a raw SSE capture</source>
        <translation>打开 JSON Lines 录制文件或原始 SSE 抓取文件</translation>
    </message>
    <message>
        <source>&amp;Export Events…</source>
        <translation>导出事件(&amp;E)…</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Export all, filtered or selected events</source>
        <translation>导出全部、筛选后或所选的事件</translation>
    </message>
    <message>
        <source>&amp;Record</source>
        <translation>录制(&amp;R)</translation>
    </message>
    <message>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <source>Record every event and state change to a file</source>
        <translation>将所有事件和状态变化录制到文件</translation>
    </message>
    <message>
        <source>Record &amp;Selected Connection…</source>
        <translation>录制所选连接(&amp;S)…</translation>
    </message>
    <message>
        <source>Record only the selected connection</source>
        <translation>仅录制所选的连接</translation>
    </message>
    <message>
        <source>Also Record &amp;Raw Bytes</source>
        <translation>同时录制原始字节(&amp;R)</translation>
    </message>
    <message>
        <source>Write the raw stream bytes beside the recording (FILE.raw.sse), for byte-exact replay</source>
        <translation>在录制文件旁写入原始流字节（FILE.raw.sse），用于逐字节精确回放</translation>
    </message>
    <message>
        <source>Re&amp;play Recording…</source>
        <translation>回放录制文件(&amp;P)…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+P</source>
        <translation>Ctrl+Shift+P</translation>
    </message>
    <message>
        <source>Replay a recording into the window at its original timing or faster</source>
        <translation>按原始时间或更快的速度将录制文件回放到窗口中</translation>
    </message>
    <message>
        <source>&amp;Mock Server…</source>
        <translation>模拟服务器(&amp;M)…</translation>
    </message>
    <message>
        <source>Serve an SSE endpoint on loopback and send events to its clients by hand</source>
        <translation>在本机回环地址上提供 SSE 端点，并手动向其客户端发送事件</translation>
    </message>
    <message>
        <source>Record to</source>
        <translation>录制到</translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl);;All files (*)</source>
        <translation>JSON Lines (*.jsonl);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>录制</translation>
    </message>
    <message>
        <source>Cannot record to %1: %2</source>
        <translation>无法录制到 %1：%2</translation>
    </message>
    <message>
        <source>Export to</source>
        <translation>导出到</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>An export is already running.</source>
        <translation>已有导出正在进行。</translation>
    </message>
    <message>
        <source>Open Recording</source>
        <translation>打开录制文件</translation>
    </message>
    <message>
        <source>Recordings (*.jsonl *.ndjson *.txt *.sse);;All files (*)</source>
        <translation>录制文件 (*.jsonl *.ndjson *.txt *.sse);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Replay Recording</source>
        <translation>回放录制文件</translation>
    </message>
    <message>
        <source>Original timing (1×)</source>
        <translation>原始时间（1×）</translation>
    </message>
    <message>
        <source>2×</source>
        <translation>2×</translation>
    </message>
    <message>
        <source>10×</source>
        <translation>10×</translation>
    </message>
    <message>
        <source>As fast as possible</source>
        <translation>尽可能快</translation>
    </message>
    <message>
        <source>Replay speed</source>
        <translation>回放速度</translation>
    </message>
    <message>
        <source>Speed:</source>
        <translation>速度：</translation>
    </message>
</context>
<context>
    <name>SavedConnections</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Cannot import %1: %2</source>
        <translation>无法导入 %1：%2</translation>
    </message>
    <message>
        <source>Cannot import %1: not valid JSON (%2 at offset %3)</source>
        <translation>无法导入 %1：不是有效的 JSON（%2，位于偏移 %3）</translation>
    </message>
    <message>
        <source>Cannot import %1: the file is not a JSON array of connections</source>
        <translation>无法导入 %1：该文件不是由连接组成的 JSON 数组</translation>
    </message>
    <message>
        <source>entry %1 is not a connection object</source>
        <translation>第 %1 项不是连接对象</translation>
    </message>
    <message>
        <source>entry %1 (%2) has no valid http or https URL</source>
        <translation>第 %1 项（%2）没有有效的 http 或 https URL</translation>
    </message>
    <message>
        <source>the credentials in the URL</source>
        <translation>URL 中的凭据</translation>
    </message>
    <message>
        <source>the proxy password</source>
        <translation>代理密码</translation>
    </message>
    <message>
        <source>the client key&apos;s passphrase</source>
        <translation>客户端密钥的口令</translation>
    </message>
</context>
<context>
    <name>SecretStore</name>
    <message>
        <source>not found in the keychain</source>
        <translation>密钥环中没有该条目</translation>
    </message>
    <message>
        <source>no keychain is available (%1)</source>
        <translation>没有可用的密钥环（%1）</translation>
    </message>
    <message>
        <source>the keychain refused access (%1)</source>
        <translation>密钥环拒绝访问（%1）</translation>
    </message>
    <message>
        <source>keychain error: %1</source>
        <translation>密钥环错误：%1</translation>
    </message>
    <message>
        <source>the keychain entry is unreadable</source>
        <translation>密钥环条目无法读取</translation>
    </message>
</context>
<context>
    <name>Sse::FilterExpression</name>
    <message>
        <source>expected &apos;&amp;&amp;&apos;, &apos;||&apos; or the end of the filter after &apos;%1&apos;</source>
        <translation>“%1”之后应为 &apos;&amp;&amp;&apos;、&apos;||&apos; 或过滤器结尾</translation>
    </message>
    <message>
        <source>the end of the filter</source>
        <translation>过滤器结尾</translation>
    </message>
    <message>
        <source>expected &apos;)&apos; to close the &apos;(&apos; at column %1, found %2</source>
        <translation>应为 &apos;)&apos; 以闭合第 %1 列的 &apos;(&apos;，实际为 %2</translation>
    </message>
    <message>
        <source>expected a number or a string after &apos;%1&apos;</source>
        <translation>“%1”之后应为数字或字符串</translation>
    </message>
    <message>
        <source>expected &apos;==&apos; instead of &apos;=&apos;</source>
        <translation>应为 &apos;==&apos;，而不是 &apos;=&apos;</translation>
    </message>
    <message>
        <source>expected a string after &apos;%1&apos;</source>
        <translation>“%1”之后应为字符串</translation>
    </message>
    <message>
        <source>invalid regular expression: %1</source>
        <translation>无效的正则表达式：%1</translation>
    </message>
    <message>
        <source>expected &apos;{&apos; after &apos;in&apos;</source>
        <translation>&apos;in&apos; 之后应为 &apos;{&apos;</translation>
    </message>
    <message>
        <source>expected &apos;,&apos; or &apos;}&apos; after &apos;%1&apos;, found %2</source>
        <translation>“%1”之后应为 &apos;,&apos; 或 &apos;}&apos;，实际为 %2</translation>
    </message>
    <message>
        <source>expected an operator, &apos;&amp;&amp;&apos;, &apos;||&apos; or the end after &apos;%1&apos;, found %2</source>
        <translation>“%1”之后应为运算符、&apos;&amp;&amp;&apos;、&apos;||&apos; 或结尾，实际为 %2</translation>
    </message>
    <message>
        <source>expected a field (type, id, data, size, connection, time or seq), found %1</source>
        <translation>应为字段（type、id、data、size、connection、time 或 seq），实际为 %1</translation>
    </message>
    <message>
        <source>expected a field after &apos;%1&apos;, found %2</source>
        <translation>“%1”之后应为字段，实际为 %2</translation>
    </message>
    <message>
        <source>unknown field &apos;%1&apos; (fields: type, id, data, size, connection, time, seq)</source>
        <translation>未知字段“%1”（可用字段：type、id、data、size、connection、time、seq）</translation>
    </message>
    <message>
        <source>only data has a path, &apos;%1&apos; has none</source>
        <translation>只有 data 可以带路径，“%1”不能</translation>
    </message>
    <message>
        <source>expected a value after &apos;%1&apos;</source>
        <translation>“%1”之后应为值</translation>
    </message>
    <message>
        <source>expected a value after &apos;%1&apos;, found %2</source>
        <translation>“%1”之后应为值，实际为 %2</translation>
    </message>
    <message>
        <source>invalid number &apos;%1&apos;</source>
        <translation>无效的数字“%1”</translation>
    </message>
    <message>
        <source>column %1: %2</source>
        <translation>第 %1 列：%2</translation>
    </message>
    <message>
        <source>&apos;marked&apos; is not available here: only the events of the event log can be marked</source>
        <translation>此处不能使用 &apos;marked&apos;：只有事件日志中的事件可以被标记</translation>
    </message>
</context>
<context>
    <name>Sse::HttpStream</name>
    <message>
        <source>The server ended the HTTP/2 stream without a response</source>
        <translation>服务器未发送响应就结束了 HTTP/2 流</translation>
    </message>
</context>
<context>
    <name>Sse::JsonPath</name>
    <message>
        <source>unexpected &apos;%1&apos; in the path</source>
        <translation>路径中有意外的 &apos;%1&apos;</translation>
    </message>
    <message>
        <source>expected a name after &apos;.&apos;</source>
        <translation>&apos;.&apos; 之后应为名称</translation>
    </message>
    <message>
        <source>expected an index or a quoted name after &apos;[&apos;</source>
        <translation>&apos;[&apos; 之后应为索引或带引号的名称</translation>
    </message>
    <message>
        <source>the end of the text</source>
        <translation>文本末尾</translation>
    </message>
    <message>
        <source>expected &apos;]&apos; after the index, found %1</source>
        <translation>索引之后应为 &apos;]&apos;，实际为 %1</translation>
    </message>
    <message>
        <source>unterminated string</source>
        <translation>字符串未结束</translation>
    </message>
    <message>
        <source>invalid escape &apos;\%1&apos; in a string</source>
        <translation>字符串中有无效的转义“\%1”</translation>
    </message>
</context>
<context>
    <name>StatisticsModel</name>
    <message>
        <source>All types</source>
        <translation>所有类型</translation>
    </message>
    <message>
        <source>byte %1 s ago</source>
        <translation>最后字节于 %1 秒前</translation>
    </message>
    <message numerus="yes">
        <source>%n more type(s)</source>
        <translation>
            <numerusform>另有 %n 种类型</numerusform>
        </translation>
    </message>
    <message>
        <source>Reconnects / id gaps</source>
        <translation>重连次数 / ID 缺口</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件数</translation>
    </message>
    <message>
        <source>Rate /s</source>
        <translation>速率/秒</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>字节数</translation>
    </message>
    <message>
        <source>Mean gap</source>
        <translation>平均间隔</translation>
    </message>
    <message>
        <source>Max gap</source>
        <translation>最大间隔</translation>
    </message>
    <message>
        <source>Last</source>
        <translation>最近</translation>
    </message>
</context>
<context>
    <name>StreamCheck</name>
    <message>
        <source>SSE stream check: %1
</source>
        <translation>SSE 流检查：%1
</translation>
    </message>
    <message>
        <source>Observed %1 s: %2 events, %3, %4 response(s)
</source>
        <translation>观察 %1 秒：%2 个事件，%3，%4 个响应
</translation>
    </message>
    <message>
        <source>         Fix: %1
</source>
        <translation>         修复：%1
</translation>
    </message>
    <message>
        <source>
Result: %1 failure(s), %2 warning(s), %3 passed
</source>
        <translation>
结果：%1 项失败，%2 项警告，%3 项通过
</translation>
    </message>
    <message>
        <source>Statistics
</source>
        <translation>统计
</translation>
    </message>
    <message>
        <source>  events by type:   %1
</source>
        <translation>  各类型事件数：     %1
</translation>
    </message>
    <message>
        <source>  rate:             %1 events/s
</source>
        <translation>  速率：             %1 个事件/秒
</translation>
    </message>
    <message>
        <source>  event size:       min %1, median %2, max %3
</source>
        <translation>  事件大小：         最小 %1，中位数 %2，最大 %3
</translation>
    </message>
    <message>
        <source>  inter-arrival:    p50 %1, p99 %2
</source>
        <translation>  到达间隔：         p50 %1，p99 %2
</translation>
    </message>
    <message>
        <source>  longest silence:  %1
</source>
        <translation>  最长静默：         %1
</translation>
    </message>
    <message>
        <source>  headers / first byte / first event: %1 / %2 / %3
</source>
        <translation>  响应头 / 首字节 / 首个事件：%1 / %2 / %3
</translation>
    </message>
    <message>
        <source>  comments:         %1
</source>
        <translation>  注释行：           %1
</translation>
    </message>
    <message>
        <source>Reconnected with Last-Event-ID %1; the first event after it had id %2 (already delivered).</source>
        <translation>使用 Last-Event-ID %1 重连；之后的第一个事件 ID 为 %2（已经送达过）。</translation>
    </message>
    <message>
        <source>Reconnected with Last-Event-ID %1; the first event after it had id %2: %3 id(s) skipped.</source>
        <translation>使用 Last-Event-ID %1 重连；之后的第一个事件 ID 为 %2：跳过了 %3 个 ID。</translation>
    </message>
    <message>
        <source>Reconnected with Last-Event-ID %1; the stream resumed at id %2.</source>
        <translation>使用 Last-Event-ID %1 重连；流从 ID %2 处恢复。</translation>
    </message>
    <message>
        <source>Reconnected with Last-Event-ID %1; the first event after it had id %2, which was already delivered.</source>
        <translation>使用 Last-Event-ID %1 重连；之后的第一个事件 ID 为 %2，该事件已经送达过。</translation>
    </message>
    <message>
        <source>Reconnected with Last-Event-ID %1; the stream continued with new id %2 (ids are not numeric: gaps not checked).</source>
        <translation>使用 Last-Event-ID %1 重连；流以新 ID %2 继续（ID 不是数字：未检查缺口）。</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>响应</translation>
    </message>
    <message>
        <source>Delivery</source>
        <translation>投递</translation>
    </message>
    <message>
        <source>Resumability</source>
        <translation>可恢复性</translation>
    </message>
    <message>
        <source>Keep-alive</source>
        <translation>保活</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>No response</source>
        <translation>没有响应</translation>
    </message>
    <message>
        <source>The server sent no response headers.</source>
        <translation>服务器没有发送响应头。</translation>
    </message>
    <message>
        <source>Check the URL, that the server is running and reachable, and TLS.</source>
        <translation>请检查 URL、服务器是否在运行且可访问，以及 TLS 设置。</translation>
    </message>
    <message>
        <source>Status 200 OK</source>
        <translation>状态码 200 OK</translation>
    </message>
    <message>
        <source>Status %1 instead of 200</source>
        <translation>状态码为 %1 而不是 200</translation>
    </message>
    <message>
        <source>204 No Content tells EventSource to stop reconnecting.</source>
        <translation>204 No Content 会让 EventSource 停止重连。</translation>
    </message>
    <message>
        <source>EventSource fails the connection on any status but 200.</source>
        <translation>状态码不是 200 时，EventSource 会使连接失败。</translation>
    </message>
    <message>
        <source>Answer the stream request with 200 OK.</source>
        <translation>对流请求返回 200 OK。</translation>
    </message>
    <message>
        <source>Content-Type is not text/event-stream</source>
        <translation>Content-Type 不是 text/event-stream</translation>
    </message>
    <message>
        <source>Content-Type: %1; EventSource fails the connection.</source>
        <translation>Content-Type: %1；EventSource 会使连接失败。</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Send &quot;Content-Type: text/event-stream&quot;.</source>
        <translation>发送“Content-Type: text/event-stream”。</translation>
    </message>
    <message>
        <source>Content-Type declares charset %1</source>
        <translation>Content-Type 声明了字符集 %1</translation>
    </message>
    <message>
        <source>Event streams are always decoded as UTF-8; the charset is ignored.</source>
        <translation>事件流总是按 UTF-8 解码；该字符集会被忽略。</translation>
    </message>
    <message>
        <source>Send &quot;Content-Type: text/event-stream&quot; (or charset=utf-8) and encode the body as UTF-8.</source>
        <translation>发送“Content-Type: text/event-stream”（或 charset=utf-8），并以 UTF-8 编码响应体。</translation>
    </message>
    <message>
        <source>Content-Type is text/event-stream</source>
        <translation>Content-Type 为 text/event-stream</translation>
    </message>
    <message>
        <source>Cache-Control forbids caching</source>
        <translation>Cache-Control 禁止缓存</translation>
    </message>
    <message>
        <source>Cache-Control: no-cache is missing</source>
        <translation>缺少 Cache-Control: no-cache</translation>
    </message>
    <message>
        <source>No Cache-Control header: caches and proxies may store or hold back the stream.</source>
        <translation>没有 Cache-Control 响应头：缓存和代理可能会存储或扣留该流。</translation>
    </message>
    <message>
        <source>Cache-Control: %1</source>
        <translation>Cache-Control: %1</translation>
    </message>
    <message>
        <source>Send &quot;Cache-Control: no-cache&quot;.</source>
        <translation>发送“Cache-Control: no-cache”。</translation>
    </message>
    <message>
        <source>The stream is compressed (%1)</source>
        <translation>流经过了压缩（%1）</translation>
    </message>
    <message>
        <source>Compressors and proxies often buffer compressed output, delaying events until a block fills.</source>
        <translation>压缩器和代理经常缓冲压缩输出，使事件延迟到一个数据块填满后才发出。</translation>
    </message>
    <message>
        <source>Do not compress text/event-stream, or flush the compressor after every event.</source>
        <translation>不要压缩 text/event-stream，或在每个事件之后刷新压缩器。</translation>
    </message>
    <message>
        <source>The stream is not compressed</source>
        <translation>流未经压缩</translation>
    </message>
    <message>
        <source>X-Accel-Buffering: no disables proxy buffering</source>
        <translation>X-Accel-Buffering: no 禁用了代理缓冲</translation>
    </message>
    <message>
        <source>Behind a proxy without X-Accel-Buffering: no</source>
        <translation>位于代理之后，但没有 X-Accel-Buffering: no</translation>
    </message>
    <message>
        <source>The response passed a proxy (Via/Server headers); it may buffer events.</source>
        <translation>响应经过了代理（见 Via/Server 响应头）；代理可能会缓冲事件。</translation>
    </message>
    <message>
        <source>Send &quot;X-Accel-Buffering: no&quot; (nginx) or disable response buffering for this route in the proxy.</source>
        <translation>发送“X-Accel-Buffering: no”（nginx），或在代理中为此路由禁用响应缓冲。</translation>
    </message>
    <message>
        <source>No X-Accel-Buffering header</source>
        <translation>没有 X-Accel-Buffering 响应头</translation>
    </message>
    <message>
        <source>No proxy detected.</source>
        <translation>未检测到代理。</translation>
    </message>
    <message>
        <source>If the server sits behind nginx, send &quot;X-Accel-Buffering: no&quot;.</source>
        <translation>如果服务器位于 nginx 之后，请发送“X-Accel-Buffering: no”。</translation>
    </message>
    <message>
        <source>HTTP/2: streams share one connection</source>
        <translation>HTTP/2：多个流共享一个连接</translation>
    </message>
    <message>
        <source>Over HTTP/1.1 browsers allow only six connections per host, shared by all tabs: a seventh EventSource or fetch stalls.</source>
        <translation>在 HTTP/1.1 下，浏览器对每个主机只允许六个连接，由所有标签页共享：第七个 EventSource 或 fetch 会被阻塞。</translation>
    </message>
    <message>
        <source>Serve the stream over HTTP/2 (HTTPS), or use one stream per page.</source>
        <translation>通过 HTTP/2（HTTPS）提供该流，或每个页面只使用一个流。</translation>
    </message>
    <message>
        <source>HTTP/1.1 (local server)</source>
        <translation>HTTP/1.1（本地服务器）</translation>
    </message>
    <message>
        <source>HTTP/1.1: six connections per host in browsers</source>
        <translation>HTTP/1.1：浏览器中每个主机六个连接</translation>
    </message>
    <message>
        <source>No event in %1</source>
        <translation>%1 内没有事件</translation>
    </message>
    <message>
        <source>Not a single body byte arrived.</source>
        <translation>没有收到任何响应体字节。</translation>
    </message>
    <message>
        <source>%1 arrived, but no complete event (a blank line ends each event).</source>
        <translation>收到了 %1，但没有完整的事件（每个事件以空行结束）。</translation>
    </message>
    <message>
        <source>Flush after each event and end every event with a blank line.</source>
        <translation>每个事件之后刷新输出，并以空行结束每个事件。</translation>
    </message>
    <message>
        <source>First event after %1</source>
        <translation>首个事件在 %1 后到达</translation>
    </message>
    <message>
        <source>Headers after %1, first byte after %2.</source>
        <translation>响应头在 %1 后到达，首字节在 %2 后到达。</translation>
    </message>
    <message>
        <source>Events arrive in bursts</source>
        <translation>事件成批到达</translation>
    </message>
    <message>
        <source>%1 read(s) delivered %2 events at once (up to %3) after %4 ms or more of silence: something between the application and the client buffers.</source>
        <translation>有 %1 次读取在静默 %4 毫秒或更久之后一次性送达 %2 个事件（最多 %3 个）：应用程序与客户端之间有某个环节在缓冲。</translation>
    </message>
    <message>
        <source>Flush the response after each event; disable proxy buffering (X-Accel-Buffering: no) and compression.</source>
        <translation>每个事件之后刷新响应；禁用代理缓冲（X-Accel-Buffering: no）和压缩。</translation>
    </message>
    <message>
        <source>Events arrive as they are sent (no bursts)</source>
        <translation>事件随发送随到达（没有成批现象）</translation>
    </message>
    <message>
        <source>Events carry no id</source>
        <translation>事件不带 ID</translation>
    </message>
    <message>
        <source>Without ids a reconnecting client cannot send Last-Event-ID, so events sent during a drop are lost.</source>
        <translation>没有 ID 时，重连的客户端无法发送 Last-Event-ID，断线期间发送的事件会丢失。</translation>
    </message>
    <message>
        <source>Send &quot;id: &lt;sequence&gt;&quot; with each event and resume from Last-Event-ID.</source>
        <translation>每个事件都发送“id: &lt;序号&gt;”，并从 Last-Event-ID 处恢复。</translation>
    </message>
    <message>
        <source>Some events carry no id</source>
        <translation>部分事件不带 ID</translation>
    </message>
    <message>
        <source>%1 of %2 events had their own id field.</source>
        <translation>%2 个事件中有 %1 个带有自己的 id 字段。</translation>
    </message>
    <message>
        <source>Every event carries an id</source>
        <translation>每个事件都带有 ID</translation>
    </message>
    <message>
        <source>retry: sets the reconnection time (%1 ms)</source>
        <translation>retry: 设置了重连时间（%1 毫秒）</translation>
    </message>
    <message>
        <source>No retry: field</source>
        <translation>没有 retry: 字段</translation>
    </message>
    <message>
        <source>Browsers wait about 3 s (their default) before reconnecting.</source>
        <translation>浏览器在重连前大约等待 3 秒（默认值）。</translation>
    </message>
    <message>
        <source>Send &quot;retry: &lt;ms&gt;&quot; once to choose the reconnection delay.</source>
        <translation>发送一次“retry: &lt;毫秒&gt;”来指定重连延迟。</translation>
    </message>
    <message>
        <source>Resume replays events already delivered</source>
        <translation>恢复时重放了已送达的事件</translation>
    </message>
    <message>
        <source>Honour the Last-Event-ID request header: continue after that id.</source>
        <translation>遵循 Last-Event-ID 请求头：从该 ID 之后继续。</translation>
    </message>
    <message>
        <source>Resume skips events</source>
        <translation>恢复时跳过了事件</translation>
    </message>
    <message>
        <source>Keep a replay buffer and send every event after Last-Event-ID.</source>
        <translation>保留重放缓冲区，并发送 Last-Event-ID 之后的所有事件。</translation>
    </message>
    <message>
        <source>Resume honours Last-Event-ID</source>
        <translation>恢复时遵循了 Last-Event-ID</translation>
    </message>
    <message>
        <source>No reconnect with a Last-Event-ID was observed.</source>
        <translation>未观察到带 Last-Event-ID 的重连。</translation>
    </message>
    <message>
        <source>Not checked: the events carry no id.</source>
        <translation>未检查：事件不带 ID。</translation>
    </message>
    <message>
        <source>Not checked (resume check disabled).</source>
        <translation>未检查（已禁用恢复检查）。</translation>
    </message>
    <message>
        <source>Not checked: the request is not a GET, so it is not re-sent.</source>
        <translation>未检查：请求不是 GET，因此不会重新发送。</translation>
    </message>
    <message>
        <source>Reconnected, but no event with an id arrived afterwards.</source>
        <translation>已重连，但之后没有收到带 ID 的事件。</translation>
    </message>
    <message>
        <source>Last-Event-ID resume not verified</source>
        <translation>未验证 Last-Event-ID 恢复</translation>
    </message>
    <message>
        <source>Silent for %1</source>
        <translation>静默了 %1</translation>
    </message>
    <message>
        <source>No heartbeat comments were seen; proxies and load balancers close idle connections (often after 30-60 s).</source>
        <translation>未看到心跳注释；代理和负载均衡器会关闭空闲连接（通常在 30-60 秒后）。</translation>
    </message>
    <message>
        <source>Heartbeat comments were seen, but not often enough.</source>
        <translation>看到了心跳注释，但频率不够。</translation>
    </message>
    <message>
        <source>Send a comment line (&quot;: ping&quot;) every %1 s or less.</source>
        <translation>每 %1 秒或更短时间发送一行注释（“: ping”）。</translation>
    </message>
    <message>
        <source>Heartbeat comments seen; longest silence %1</source>
        <translation>看到了心跳注释；最长静默 %1</translation>
    </message>
    <message>
        <source>No heartbeat comments; longest silence %1</source>
        <translation>没有心跳注释；最长静默 %1</translation>
    </message>
    <message>
        <source>Fine while events flow; an idle stream needs heartbeats.</source>
        <translation>事件持续到达时没有问题；空闲的流需要心跳。</translation>
    </message>
    <message>
        <source>Send a comment line (&quot;: ping&quot;) every 15 s when idle.</source>
        <translation>空闲时每 15 秒发送一行注释（“: ping”）。</translation>
    </message>
    <message>
        <source>Mixed line endings</source>
        <translation>换行符混用</translation>
    </message>
    <message>
        <source>CRLF %1, LF %2, CR %3 lines.</source>
        <translation>CRLF %1 行，LF %2 行，CR %3 行。</translation>
    </message>
    <message>
        <source>Use one line ending (LF) throughout: hand-written parsers split on one kind only.</source>
        <translation>全程使用一种换行符（LF）：手写的解析器往往只按一种换行符拆分。</translation>
    </message>
    <message>
        <source>Consistent line endings (%1)</source>
        <translation>换行符一致（%1）</translation>
    </message>
    <message>
        <source>Fields the spec ignores</source>
        <translation>规范会忽略的字段</translation>
    </message>
    <message>
        <source>Ignored field names: %1.</source>
        <translation>被忽略的字段名：%1。</translation>
    </message>
    <message>
        <source>Field names are lowercase and exact: data, event, id, retry. Put other values inside data.</source>
        <translation>字段名必须是小写且完全一致：data、event、id、retry。其他值请放在 data 中。</translation>
    </message>
    <message>
        <source>Only known field names</source>
        <translation>只有已知字段名</translation>
    </message>
    <message>
        <source>data: lines without a space after the colon</source>
        <translation>data: 行的冒号后没有空格</translation>
    </message>
    <message>
        <source>%1 line(s), e.g. %2. Valid, but some clients strip the first character.</source>
        <translation>共 %1 行，例如 %2。这是合法的，但有些客户端会去掉第一个字符。</translation>
    </message>
    <message>
        <source>Write &quot;data: value&quot; with one space after the colon.</source>
        <translation>写成“data: value”，冒号后加一个空格。</translation>
    </message>
    <message>
        <source>Byte order mark</source>
        <translation>字节顺序标记（BOM）</translation>
    </message>
    <message>
        <source>The body starts with a UTF-8 BOM; EventSource strips it, other clients may not.</source>
        <translation>响应体以 UTF-8 BOM 开头；EventSource 会去掉它，其他客户端则未必。</translation>
    </message>
    <message>
        <source>Do not write a BOM.</source>
        <translation>不要写入 BOM。</translation>
    </message>
    <message>
        <source>Invalid UTF-8</source>
        <translation>无效的 UTF-8</translation>
    </message>
    <message>
        <source>%1 invalid sequence(s) were replaced by U+FFFD.</source>
        <translation>有 %1 个无效序列被替换为 U+FFFD。</translation>
    </message>
    <message>
        <source>Encode event data as UTF-8.</source>
        <translation>以 UTF-8 编码事件数据。</translation>
    </message>
    <message>
        <source>Data that looks like JSON does not parse</source>
        <translation>看起来像 JSON 的数据无法解析</translation>
    </message>
    <message>
        <source>%1 of %2 JSON-looking events failed to parse, e.g. %3.</source>
        <translation>%2 个看起来像 JSON 的事件中有 %1 个解析失败，例如 %3。</translation>
    </message>
    <message>
        <source>Serialize data with a JSON encoder; a multi-line value needs one data: line per line.</source>
        <translation>用 JSON 编码器序列化数据；多行的值需要每行一个 data: 行。</translation>
    </message>
    <message>
        <source>JSON data parses (%1 events)</source>
        <translation>JSON 数据可以解析（%1 个事件）</translation>
    </message>
    <message>
        <source>Very large events</source>
        <translation>事件过大</translation>
    </message>
    <message>
        <source>%1 event(s) above %2, largest %3.</source>
        <translation>有 %1 个事件超过 %2，最大的为 %3。</translation>
    </message>
    <message>
        <source>Send a reference (URL or id) and fetch large payloads separately.</source>
        <translation>发送引用（URL 或 ID），并单独获取较大的负载。</translation>
    </message>
    <message>
        <source>other types %1</source>
        <translation>其他类型 %1</translation>
    </message>
    <message>
        <source>This endpoint streams NDJSON or JSON, not SSE</source>
        <translation>此端点以 NDJSON 或 JSON 流式传输，而不是 SSE</translation>
    </message>
    <message>
        <source>Content-Type: %1: e.g. Ollama&apos;s native API, or Gemini without alt=sse. An EventSource fails the connection.</source>
        <translation>Content-Type：%1：例如 Ollama 原生 API，或未加 alt=sse 的 Gemini。EventSource 会使连接失败。</translation>
    </message>
    <message>
        <source>Read it with the NDJSON mode (sse-monitor-cli --ndjson, or the connection&apos;s &quot;Also read NDJSON / JSON streams&quot; switch), or ask the API for SSE (Gemini: ?alt=sse; Ollama: its OpenAI-compatible /v1 endpoints).</source>
        <translation>使用 NDJSON 模式读取（sse-monitor-cli --ndjson，或连接的“同时读取 NDJSON / JSON 流”开关），或向 API 请求 SSE（Gemini：?alt=sse；Ollama：其兼容 OpenAI 的 /v1 端点）。</translation>
    </message>
</context>
<context>
    <name>StreamMessages</name>
    <message>
        <source>The server closed the connection without a response</source>
        <translation>服务器未发送响应就关闭了连接</translation>
    </message>
    <message>
        <source>The server closed the connection in the middle of the response head</source>
        <translation>服务器在响应头中途关闭了连接</translation>
    </message>
    <message>
        <source>Host %1 not found</source>
        <translation>找不到主机 %1</translation>
    </message>
    <message>
        <source>Connection refused by %1</source>
        <translation>%1 拒绝了连接</translation>
    </message>
    <message>
        <source>The response head is larger than %1 KiB: the server sent more header data than a client accepts</source>
        <translation>响应头大于 %1 KiB：服务器发送的头部数据超出了客户端可接受的范围</translation>
    </message>
    <message>
        <source>The server did not answer with HTTP/1.x (its first line: &quot;%1&quot;)</source>
        <translation>服务器未以 HTTP/1.x 应答（首行：“%1”）</translation>
    </message>
    <message>
        <source>The response has no valid status code</source>
        <translation>响应没有有效的状态码</translation>
    </message>
    <message>
        <source>The response head has a malformed line</source>
        <translation>响应头中有格式错误的行</translation>
    </message>
    <message>
        <source>The response head has more than %1 header fields: the server sent more than a client accepts</source>
        <translation>响应头超过 %1 个字段：服务器发送的内容超出了客户端可接受的范围</translation>
    </message>
    <message>
        <source>The response has an invalid Content-Length</source>
        <translation>响应的 Content-Length 无效</translation>
    </message>
    <message>
        <source>The response uses the content encoding &quot;%1&quot;, which the client cannot decode</source>
        <translation>响应使用了客户端无法解码的内容编码“%1”</translation>
    </message>
    <message>
        <source>The chunked response has a malformed chunk header</source>
        <translation>分块响应的块头格式错误</translation>
    </message>
    <message>
        <source>The compressed response body is corrupt (%1)</source>
        <translation>压缩的响应体已损坏（%1）</translation>
    </message>
    <message>
        <source>The connection closed %1 bytes before the end of the response</source>
        <translation>连接在响应结束前 %1 字节处关闭</translation>
    </message>
    <message>
        <source>The connection closed before the last chunk of the response</source>
        <translation>连接在响应的最后一块之前关闭</translation>
    </message>
    <message>
        <source>TLS: the server requires a client certificate and none is set (%1)</source>
        <translation>TLS：服务器要求客户端证书，但未设置（%1）</translation>
    </message>
    <message>
        <source>TLS: the server rejected the client certificate (%1)</source>
        <translation>TLS：服务器拒绝了客户端证书（%1）</translation>
    </message>
    <message>
        <source>TLS: the server ended the handshake (%1)</source>
        <translation>TLS：服务器终止了握手（%1）</translation>
    </message>
    <message>
        <source>proxy %1 sent an oversized answer to CONNECT</source>
        <translation>代理 %1 对 CONNECT 的应答过大</translation>
    </message>
    <message>
        <source>proxy %1 refused the tunnel to %2: %3</source>
        <translation>代理 %1 拒绝建立到 %2 的隧道：%3</translation>
    </message>
    <message>
        <source>proxy %1 closed the connection instead of answering CONNECT</source>
        <translation>代理 %1 未应答 CONNECT 就关闭了连接</translation>
    </message>
    <message>
        <source>Connection refused by proxy %1</source>
        <translation>代理 %1 拒绝连接</translation>
    </message>
    <message>
        <source>Proxy host %1 not found</source>
        <translation>找不到代理主机 %1</translation>
    </message>
    <message>
        <source>proxy %1 refused the credentials: SOCKS5 authentication failed</source>
        <translation>代理 %1 拒绝了凭据：SOCKS5 认证失败</translation>
    </message>
    <message>
        <source>proxy %1 failed: %2</source>
        <translation>代理 %1 出错：%2</translation>
    </message>
    <message>
        <source>proxy %1 wants other credentials: HTTP 407 %2</source>
        <translation>代理 %1 需要其他凭据：HTTP 407 %2</translation>
    </message>
    <message>
        <source>proxy %1 asks for a user name and password: give them in the proxy URL (socks5://user:password@host:port)</source>
        <translation>代理 %1 要求用户名和密码：请在代理 URL 中给出（socks5://user:password@host:port）</translation>
    </message>
</context>
<context>
    <name>TableEditor</name>
    <message>
        <source>&amp;Add</source>
        <translation>添加(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>移除(&amp;R)</translation>
    </message>
    <message>
        <source>Move &amp;Up</source>
        <translation>上移(&amp;U)</translation>
    </message>
    <message>
        <source>Move &amp;Down</source>
        <translation>下移(&amp;D)</translation>
    </message>
</context>
<context>
    <name>UiLanguage</name>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>&lt;h2&gt;SSE Monitor&lt;/h2&gt;&lt;p&gt;Watch, filter, chart and record Server-Sent Events.&lt;/p&gt;&lt;p&gt;Connect to any &lt;tt&gt;text/event-stream&lt;/tt&gt; URL, or try the built-in demo stream first.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;SSE Monitor&lt;/h2&gt;&lt;p&gt;查看、筛选、绘制和录制 Server-Sent Events（SSE）。&lt;/p&gt;&lt;p&gt;连接任意 &lt;tt&gt;text/event-stream&lt;/tt&gt; URL，或先试试内置的演示流。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Open the &amp;demo stream</source>
        <translation>打开演示流(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;New connection…</source>
        <translation>新建连接(&amp;N)…</translation>
    </message>
</context>
<context>
    <name>Workspace</name>
    <message>
        <source>Recording stopped: %1</source>
        <translation>录制已停止：%1</translation>
    </message>
    <message>
        <source>Demo stream</source>
        <translation>演示流</translation>
    </message>
    <message>
        <source>%1 (copy)</source>
        <translation>%1（副本）</translation>
    </message>
    <message>
        <source>%1: no value for %2 (%3). Edit the connection to enter it.</source>
        <translation>%1：%2 没有值（%3）。请编辑连接以输入。</translation>
    </message>
    <message>
        <source>not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>The secret headers of %1 were written to the settings file in plain text: %2</source>
        <translation>%1 的机密请求头已以明文写入设置文件：%2</translation>
    </message>
    <message>
        <source>The secret headers of %1 were not saved (%2); they will be asked for next time. Connection &gt; Store Secrets in Plain Text allows keeping them in the settings file.</source>
        <translation>%1 的机密请求头未保存（%2）；下次将再次询问。“连接 &gt; 以明文存储机密”可将其保存在设置文件中。</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <source>Opening %1… %2%</source>
        <translation>正在打开 %1… %2%</translation>
    </message>
    <message numerus="yes">
        <source>Opened %1: %Ln event(s)</source>
        <translation>
            <numerusform>已打开 %1：%Ln 个事件</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message numerus="yes">
        <source> (%n unreadable line(s) skipped, e.g. %1)</source>
        <translation>
            <numerusform>（跳过 %n 行无法读取的内容，例如 %1）</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (replay)</source>
        <translation>%1（回放）</translation>
    </message>
    <message>
        <source>reconnected</source>
        <translation>已重新连接</translation>
    </message>
    <message>
        <source> · Last-Event-ID %1</source>
        <translation> · Last-Event-ID %1</translation>
    </message>
    <message>
        <source> · after %1 s</source>
        <translation> · 间隔 %1 秒</translation>
    </message>
    <message numerus="yes">
        <source>Recording saved to %1 (%Ln event(s))</source>
        <translation>
            <numerusform>录制已保存到 %1（%Ln 个事件）</numerusform>
        </translation>
    </message>
    <message>
        <source>as fast as possible</source>
        <translation>尽可能快</translation>
    </message>
    <message>
        <source>Replaying %1 · %2</source>
        <translation>正在回放 %1 · %2</translation>
    </message>
    <message>
        <source>Replay paused · %1</source>
        <translation>回放已暂停 · %1</translation>
    </message>
    <message>
        <source>Replay stopped · %1</source>
        <translation>回放已停止 · %1</translation>
    </message>
    <message>
        <source>Replayed · %1</source>
        <translation>已回放 · %1</translation>
    </message>
    <message>
        <source>Replay stopped · %1/%2</source>
        <translation>回放已停止 · %1/%2</translation>
    </message>
    <message>
        <source>%1: no value for %2. Edit the connection to enter it.</source>
        <translation>%1：%2 没有值。请编辑该连接以输入。</translation>
    </message>
</context>
</TS>
