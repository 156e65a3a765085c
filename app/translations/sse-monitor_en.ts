<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>ChartPanel</name>
    <message numerus="yes">
        <source>%n s</source>
        <translation>
            <numerusform>%n s</numerusform>
            <numerusform>%n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Last %n points</source>
        <translation>
            <numerusform>Last %n point</numerusform>
            <numerusform>Last %n points</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConnectionListModel</name>
    <message numerus="yes">
        <source>Listening on %1 · %Ln exchange(s)</source>
        <translation>
            <numerusform>Listening on %1 · %Ln exchange</numerusform>
            <numerusform>Listening on %1 · %Ln exchanges</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConnectionManager</name>
    <message numerus="yes">
        <source> · %Ln event(s)</source>
        <translation>
            <numerusform> · %Ln event</numerusform>
            <numerusform> · %Ln events</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConnectionsPane</name>
    <message numerus="yes">
        <source>Its %Ln event(s) leave the log; recordings on disk stay.</source>
        <translation>
            <numerusform>Its %Ln event leaves the log; recordings on disk stay.</numerusform>
            <numerusform>Its %Ln events leave the log; recordings on disk stay.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DiagnosticsView</name>
    <message numerus="yes">
        <source>Checking %1… %Ln event(s) seen</source>
        <translation>
            <numerusform>Checking %1… %Ln event seen</numerusform>
            <numerusform>Checking %1… %Ln events seen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EventDiffDialog</name>
    <message numerus="yes">
        <source>%n path(s) differ (JSON compared by structure).</source>
        <translation>
            <numerusform>%n path differs (JSON compared by structure).</numerusform>
            <numerusform>%n paths differ (JSON compared by structure).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n line(s) differ (the data is not JSON on both sides: compared by line).</source>
        <translation>
            <numerusform>%n line differs (the data is not JSON on both sides: compared by line).</numerusform>
            <numerusform>%n lines differ (the data is not JSON on both sides: compared by line).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EventLogPane</name>
    <message numerus="yes">
        <source>Only %n connection(s)</source>
        <translation>
            <numerusform>Only %n connection</numerusform>
            <numerusform>Only %n connections</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LlmTimingChart</name>
    <message numerus="yes">
        <source>All %n chunk(s) so far arrived within one millisecond: no gaps to chart</source>
        <translation>
            <numerusform>The one chunk so far arrived within one millisecond: no gaps to chart</numerusform>
            <numerusform>All %n chunks so far arrived within one millisecond: no gaps to chart</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainStatusBar</name>
    <message numerus="yes">
        <source>%1 open · %Ln event(s) · %2/s</source>
        <translation>
            <numerusform>%1 open · %Ln event · %2/s</numerusform>
            <numerusform>%1 open · %Ln events · %2/s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>● REC %1 · %2 · %Ln event(s)</source>
        <translation>
            <numerusform>● REC %1 · %2 · %Ln event</numerusform>
            <numerusform>● REC %1 · %2 · %Ln events</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MockServerDialog</name>
    <message numerus="yes">
        <source>Sent to %n client(s)</source>
        <translation>
            <numerusform>Sent to %n client</numerusform>
            <numerusform>Sent to %n clients</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Serving %1 - %n client(s) connected</source>
        <translation>
            <numerusform>Serving %1 - %n client connected</numerusform>
            <numerusform>Serving %1 - %n clients connected</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %Ln event(s)</source>
        <translation>
            <numerusform>%1: %Ln event</numerusform>
            <numerusform>%1: %Ln events</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>StatisticsModel</name>
    <message numerus="yes">
        <source>%n more type(s)</source>
        <translation>
            <numerusform>%n more type</numerusform>
            <numerusform>%n more types</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Workspace</name>
    <message numerus="yes">
        <source>Opened %1: %Ln event(s)</source>
        <translation>
            <numerusform>Opened %1: %Ln event</numerusform>
            <numerusform>Opened %1: %Ln events</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> (%n unreadable line(s) skipped, e.g. %1)</source>
        <translation>
            <numerusform> (%n unreadable line skipped, e.g. %1)</numerusform>
            <numerusform> (%n unreadable lines skipped, e.g. %1)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Recording saved to %1 (%Ln event(s))</source>
        <translation>
            <numerusform>Recording saved to %1 (%Ln event)</numerusform>
            <numerusform>Recording saved to %1 (%Ln events)</numerusform>
        </translation>
    </message>
</context>
</TS>
