#include "views/connectiondialog.h"

#include "sselib/curlcommand.h"
#include "sselib/profile.h"
#include "sselib/proxy.h"

#include "views/secretvaluedelegate.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QScopedValueRollback>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <functional>

namespace {

constexpr int MaximumDelayMs = 24 * 60 * 60 * 1000;
constexpr double MebiByte = 1024.0 * 1024.0;
constexpr qint64 MaximumCaFileBytes = 16 * 1024 * 1024;

const QByteArray &certificateMarker()
{
    static const QByteArray marker("-----BEGIN CERTIFICATE-----");
    return marker;
}

QLabel *createHint(QWidget *parent)
{
    auto *hint = new QLabel(parent);
    hint->setTextFormat(Qt::PlainText);
    hint->setWordWrap(true);
    return hint;
}

QSpinBox *createMillisecondsSpin(const QString &accessibleName, QWidget *parent)
{
    auto *spin = new QSpinBox(parent);
    spin->setRange(0, MaximumDelayMs);
    spin->setSingleStep(500);
    spin->setSuffix(ConnectionDialog::tr(" ms", "unit suffix of a spin box: milliseconds"));
    spin->setGroupSeparatorShown(true);
    spin->setAccessibleName(accessibleName);
    spin->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    return spin;
}

QDoubleSpinBox *createSecondsSpin(const QString &accessibleName, double maximum, QWidget *parent)
{
    auto *spin = new QDoubleSpinBox(parent);
    spin->setDecimals(1);
    spin->setRange(0, maximum);
    spin->setSingleStep(1);
    spin->setSuffix(ConnectionDialog::tr(" s", "unit suffix of a spin box: seconds"));
    spin->setAccessibleName(accessibleName);
    spin->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    return spin;
}

// Gives the widgets the width of the widest, so a column of spin boxes lines up.
void equalizeWidths(const QList<QWidget *> &widgets)
{
    int width = 0;
    for (const QWidget *widget : widgets)
        width = qMax(width, widget->sizeHint().width());
    for (QWidget *widget : widgets)
        widget->setMinimumWidth(width);
}

// The loaded value when the spin box still shows what loading it produced, else the shown one
// converted; so a value the user did not touch comes back exactly, whatever the units.
template<typename T>
T keptOrConverted(double shown, double shownAfterLoad, T loaded, double factor)
{
    if (shown == shownAfterLoad)
        return loaded;
    return T(qRound64(shown * factor));
}

QString bodyTemplate(ConnectionDialog::Preset preset)
{
    switch (preset) {
    case ConnectionDialog::Preset::OpenAiChat:
        return QStringLiteral("{\n"
                              "    \"model\": \"gpt-4o-mini\",\n"
                              "    \"stream\": true,\n"
                              "    \"stream_options\": {\"include_usage\": true},\n"
                              "    \"messages\": [\n"
                              "        {\"role\": \"user\", \"content\": \"Say hello.\"}\n"
                              "    ]\n"
                              "}\n");
    case ConnectionDialog::Preset::AnthropicMessages:
        return QStringLiteral("{\n"
                              "    \"model\": \"claude-3-5-haiku-latest\",\n"
                              "    \"max_tokens\": 256,\n"
                              "    \"stream\": true,\n"
                              "    \"messages\": [\n"
                              "        {\"role\": \"user\", \"content\": \"Say hello.\"}\n"
                              "    ]\n"
                              "}\n");
    case ConnectionDialog::Preset::OpenAiResponses:
        return QStringLiteral("{\n"
                              "    \"model\": \"gpt-4o-mini\",\n"
                              "    \"stream\": true,\n"
                              "    \"input\": \"Say hello.\"\n"
                              "}\n");
    case ConnectionDialog::Preset::GeminiStream:
        // Gemini streams because of the URL (streamGenerateContent?alt=sse), not the body.
        return QStringLiteral("{\n"
                              "    \"contents\": [\n"
                              "        {\"role\": \"user\", \"parts\": [{\"text\": \"Say hello.\"}]}\n"
                              "    ]\n"
                              "}\n");
    case ConnectionDialog::Preset::WikimediaRecentChanges:
        break;
    }
    return {};
}

} // namespace

ConnectionDialog::ConnectionDialog(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Connection"));

    m_nameEdit = new QLineEdit(this);
    m_nameEdit->setObjectName(QStringLiteral("nameEdit"));
    m_nameEdit->setAccessibleName(tr("Connection name"));
    m_nameEdit->setPlaceholderText(tr("Host and path of the URL when left empty"));

    m_methodCombo = new QComboBox(this);
    m_methodCombo->setObjectName(QStringLiteral("methodCombo"));
    m_methodCombo->setAccessibleName(tr("HTTP method"));
    m_methodCombo->setEditable(true);
    m_methodCombo->setInsertPolicy(QComboBox::NoInsert);
    m_methodCombo->addItems({QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT"),
                             QStringLiteral("PATCH")});
    // An HTTP method is a token (RFC 9110).
    m_methodCombo->setValidator(new QRegularExpressionValidator(
            QRegularExpression(QStringLiteral("[!#$%&'*+.^_`|~0-9A-Za-z-]*")), m_methodCombo));
    m_methodCombo->setMinimumContentsLength(8);
    m_methodCombo->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);

    m_urlEdit = new QLineEdit(this);
    m_urlEdit->setObjectName(QStringLiteral("urlEdit"));
    m_urlEdit->setAccessibleName(tr("URL"));
    m_urlEdit->setPlaceholderText(QStringLiteral("https://example.com/events"));
    m_urlHint = createHint(this);
    m_urlHint->setObjectName(QStringLiteral("urlHint"));

    // Method and URL on one line, as API clients have them; the URL comes first and has the
    // focus when the dialog opens.
    auto *requestLine = new QHBoxLayout;
    requestLine->addWidget(m_methodCombo);
    requestLine->addWidget(m_urlEdit, 1);
    // The hint sits under the line in the same cell, so while hidden it takes no room.
    m_urlRow = new QWidget(this);
    auto *request = new QVBoxLayout(m_urlRow);
    request->setContentsMargins(0, 0, 0, 0);
    request->addLayout(requestLine);
    request->addWidget(m_urlHint);
    // What is created: a stream to watch, or a proxy that watches what an application gets.
    m_kindCombo = new QComboBox(this);
    m_kindCombo->setObjectName(QStringLiteral("kindCombo"));
    m_kindCombo->setAccessibleName(tr("Connection kind"));
    m_kindCombo->addItem(tr("Stream (connect to a server)"), int(Kind::Stream));
    m_kindCombo->addItem(tr("Proxy (record what an app receives)"), int(Kind::Proxy));
    auto *form = new QFormLayout;
    form->addRow(tr("&Kind:"), m_kindCombo);
    m_urlLabel = new QLabel(tr("&URL:"), this);
    m_urlLabel->setBuddy(m_urlEdit);
    form->addRow(m_urlLabel, m_urlRow);
    form->addRow(tr("&Name:"), m_nameEdit);
    m_urlEdit->setFocus(Qt::OtherFocusReason);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->setAccessibleName(tr("Connection settings"));
    m_tabs->addTab(createHeadersPage(), tr("&Headers"));
    m_tabs->addTab(createBodyPage(), tr("&Body"));
    m_tabs->addTab(createReconnectPage(), tr("&Reconnect"));
    m_tabs->addTab(createLimitsPage(), tr("&Limits && TLS"));
    m_tabs->addTab(createNetworkPage(), tr("Pro&xy && Client Certificate"));

    m_presetsButton = new QPushButton(tr("&Presets"), this);
    m_presetsButton->setObjectName(QStringLiteral("presetsButton"));
    m_presetsButton->setToolTip(tr("Fill the form for a well-known stream"));
    auto *presetMenu = new QMenu(m_presetsButton);
    presetMenu->setObjectName(QStringLiteral("presetMenu"));
    for (Preset preset :
         {Preset::OpenAiChat, Preset::OpenAiResponses, Preset::AnthropicMessages,
          Preset::GeminiStream, Preset::WikimediaRecentChanges}) {
        QAction *action = presetMenu->addAction(presetName(preset));
        action->setData(int(preset));
        connect(action, &QAction::triggered, this, [this, preset] { applyPreset(preset); });
    }
    m_presetsButton->setMenu(presetMenu);

    m_curlButton = new QPushButton(tr("From c&URL\u2026"), this);
    m_curlButton->setObjectName(QStringLiteral("curlButton"));
    m_curlButton->setToolTip(tr("Fill the form from a curl command, e.g. a browser's or API "
                                "console's \"Copy as cURL\""));
    connect(m_curlButton, &QPushButton::clicked, this, &ConnectionDialog::askForCurlCommand);

    m_buttonBox = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttonBox->setObjectName(QStringLiteral("buttonBox"));
    m_buttonBox->button(QDialogButtonBox::Ok)->setText(tr("&Connect"));
    connect(m_buttonBox, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttonBox, &QDialogButtonBox::rejected, this, &QDialog::reject);

    // Why OK is disabled when a header or the Last-Event-ID could not go onto the wire.
    m_fieldError = createHint(this);
    m_fieldError->setObjectName(QStringLiteral("fieldError"));
    m_fieldError->setVisible(false);

    auto *layout = new QVBoxLayout(this);
    m_proxyPage = createProxyPage();
    layout->addLayout(form);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_proxyPage, 1);
    layout->addWidget(m_fieldError);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_presetsButton);
    bottom->addWidget(m_curlButton);
    bottom->addStretch(1);
    bottom->addWidget(m_buttonBox);
    layout->addLayout(bottom);

    connect(m_urlEdit, &QLineEdit::textChanged, this, &ConnectionDialog::updateUrlState);
    // A curl command pasted into the URL field fills the whole form.
    connect(m_urlEdit, &QLineEdit::textEdited, this, &ConnectionDialog::onUrlEdited);
    // After textEdited: during it, this holds the text before the edit.
    connect(m_urlEdit, &QLineEdit::textChanged, this,
            [this](const QString &text) { m_previousUrlText = text; });
    for (QLineEdit *edit : {m_proxyEdit, m_noProxyEdit})
        connect(edit, &QLineEdit::textChanged, this, &ConnectionDialog::updateUrlState);
    connect(m_lastEventIdEdit, &QLineEdit::textChanged, this, &ConnectionDialog::updateUrlState);
    connect(m_headerTable, &QTableWidget::itemChanged, this, [this] {
        if (!m_updatingHeaders) // a row being built has no value item yet
            updateUrlState();
    });
    connect(m_methodCombo, &QComboBox::currentTextChanged, this,
            &ConnectionDialog::updateMethodState);

    equalizeWidths({m_defaultRetrySpin, m_fixedDelaySpin, m_backoffMaximumSpin, m_jitterSpin,
                    m_backoffResetSpin, m_maximumAttemptsSpin, m_connectTimeoutSpin,
                    m_idleTimeoutSpin, m_maximumEventSizeSpin});

    connect(m_kindCombo, &QComboBox::currentIndexChanged, this,
            &ConnectionDialog::updateKindState);

    setUpTabOrder();
    updateHintColours();
    setConnection(QString(), Sse::ClientOptions());
    updateKindState();
    resize(660, 560);
}

QWidget *ConnectionDialog::createProxyPage()
{
    auto *page = new QWidget(this);
    page->setObjectName(QStringLiteral("proxyPage"));

    m_listenAddressEdit = new QLineEdit(page);
    m_listenAddressEdit->setObjectName(QStringLiteral("listenAddressEdit"));
    m_listenAddressEdit->setAccessibleName(tr("Listen address"));
    m_listenPortSpin = new QSpinBox(page);
    m_listenPortSpin->setObjectName(QStringLiteral("listenPortSpin"));
    m_listenPortSpin->setAccessibleName(tr("Listen port"));
    m_listenPortSpin->setRange(1, 65535);
    auto *listenRow = new QHBoxLayout;
    listenRow->addWidget(m_listenAddressEdit, 1);
    listenRow->addWidget(new QLabel(tr("Port:"), page));
    listenRow->addWidget(m_listenPortSpin);
    m_allowRemoteCheck = new QCheckBox(tr("Allow other machines to connect (an address "
                                          "other than loopback)"), page);
    m_allowRemoteCheck->setObjectName(QStringLiteral("allowRemoteCheck"));
    m_listenHint = createHint(page);
    m_listenHint->setObjectName(QStringLiteral("listenHint"));

    m_upstreamEdit = new QLineEdit(page);
    m_upstreamEdit->setObjectName(QStringLiteral("upstreamEdit"));
    m_upstreamEdit->setAccessibleName(tr("Upstream URL"));
    m_upstreamEdit->setPlaceholderText(QStringLiteral("https://api.openai.com"));
    m_upstreamHint = createHint(page);
    m_upstreamHint->setObjectName(QStringLiteral("upstreamHint"));

    // The upstream's TLS: the dialog keeps one set of extra CA certificates (loadCaCertificates).
    m_proxyCaStatus = new QLabel(page);
    m_proxyCaStatus->setObjectName(QStringLiteral("proxyCaStatus"));
    auto *caChoose = new QPushButton(tr("C&hoose\u2026"), page);
    caChoose->setObjectName(QStringLiteral("proxyCaChooseButton"));
    connect(caChoose, &QPushButton::clicked, this, &ConnectionDialog::chooseCaFile);
    m_proxyCaClearButton = new QPushButton(tr("Clear"), page);
    m_proxyCaClearButton->setObjectName(QStringLiteral("proxyCaClearButton"));
    connect(m_proxyCaClearButton, &QPushButton::clicked, m_caClearButton, &QPushButton::click);
    auto *caRow = new QHBoxLayout;
    caRow->addWidget(m_proxyCaStatus, 1);
    caRow->addWidget(caChoose);
    caRow->addWidget(m_proxyCaClearButton);
    m_proxyCaError = createHint(page);
    m_proxyCaError->setObjectName(QStringLiteral("proxyCaError"));
    m_proxyCaError->hide();
    m_proxyInsecureCheck = new QCheckBox(tr("Accept any upstream certificate (insecure)"), page);
    m_proxyInsecureCheck->setObjectName(QStringLiteral("proxyInsecureCheck"));

    m_llmCheck = new QCheckBox(tr("Analyse LLM responses (verdicts, the LLM tab)"), page);
    m_llmCheck->setObjectName(QStringLiteral("llmCheck"));
    m_baseUrlHint = new QLabel(page);
    m_baseUrlHint->setObjectName(QStringLiteral("baseUrlHint"));
    m_baseUrlHint->setWordWrap(true);
    m_baseUrlHint->setTextFormat(Qt::PlainText);

    auto *form = new QFormLayout;
    form->addRow(tr("&Listen on:"), listenRow);
    form->addRow(QString(), m_allowRemoteCheck);
    form->addRow(QString(), m_listenHint);
    form->addRow(tr("U&pstream:"), m_upstreamEdit);
    form->addRow(QString(), m_upstreamHint);
    form->addRow(tr("Upstream CA:"), caRow);
    form->addRow(QString(), m_proxyCaError);
    form->addRow(QString(), m_proxyInsecureCheck);
    form->addRow(QString(), m_llmCheck);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form);
    layout->addWidget(m_baseUrlHint);
    layout->addStretch(1);

    for (QLineEdit *edit : {m_listenAddressEdit, m_upstreamEdit})
        connect(edit, &QLineEdit::textChanged, this, &ConnectionDialog::updateProxyState);
    connect(m_listenPortSpin, &QSpinBox::valueChanged, this, &ConnectionDialog::updateProxyState);
    for (QCheckBox *check : {m_allowRemoteCheck, m_proxyInsecureCheck})
        connect(check, &QCheckBox::toggled, this, &ConnectionDialog::updateProxyState);
    const ProxySettings defaults;
    m_listenAddressEdit->setText(defaults.listenAddress);
    m_listenPortSpin->setValue(defaults.listenPort);
    m_llmCheck->setChecked(defaults.llmAnalysis);
    return page;
}

ConnectionDialog::Kind ConnectionDialog::kind() const
{
    return Kind(m_kindCombo->currentData().toInt());
}

void ConnectionDialog::setKind(Kind kind)
{
    m_kindCombo->setCurrentIndex(m_kindCombo->findData(int(kind)));
}

void ConnectionDialog::setProxy(const QString &name, const ProxySettings &settings)
{
    m_nameEdit->setText(name);
    m_listenAddressEdit->setText(settings.listenAddress);
    m_listenPortSpin->setValue(settings.listenPort);
    m_allowRemoteCheck->setChecked(settings.allowRemote);
    m_upstreamEdit->setText(settings.upstream.toString());
    m_caCertificatesPem = settings.caCertificatesPem;
    m_proxyInsecureCheck->setChecked(settings.allowInsecureTls);
    m_llmCheck->setChecked(settings.llmAnalysis);
    updateCaState();
    setKind(Kind::Proxy);
    updateKindState();
}

void ConnectionDialog::setKindEditable(bool editable)
{
    m_kindCombo->setEnabled(editable);
}

ProxySettings ConnectionDialog::proxySettings() const
{
    ProxySettings settings;
    settings.listenAddress = m_listenAddressEdit->text().trimmed();
    if (settings.listenAddress.compare(u"localhost", Qt::CaseInsensitive) == 0)
        settings.listenAddress = QStringLiteral("127.0.0.1");
    settings.listenPort = quint16(m_listenPortSpin->value());
    settings.allowRemote = m_allowRemoteCheck->isChecked();
    settings.upstream = QUrl(m_upstreamEdit->text().trimmed());
    settings.caCertificatesPem = m_caCertificatesPem;
    settings.allowInsecureTls = m_proxyInsecureCheck->isChecked();
    settings.llmAnalysis = m_llmCheck->isChecked();
    return settings;
}

void ConnectionDialog::updateKindState()
{
    const bool proxy = kind() == Kind::Proxy;
    m_urlLabel->setVisible(!proxy);
    m_urlRow->setVisible(!proxy);
    m_tabs->setVisible(!proxy);
    m_presetsButton->setVisible(!proxy);
    m_curlButton->setVisible(!proxy);
    m_proxyPage->setVisible(proxy);
    m_nameEdit->setPlaceholderText(proxy ? tr("\"Proxy\" and the upstream's host when left empty")
                                         : tr("Host and path of the URL when left empty"));
    if (proxy) {
        m_fieldError->hide();
        updateProxyState();
        m_upstreamEdit->setFocus(Qt::OtherFocusReason);
    } else {
        updateUrlState();
    }
}

void ConnectionDialog::updateProxyState()
{
    if (kind() != Kind::Proxy)
        return;
    const ProxySettings settings = proxySettings();
    const QHostAddress address = settings.address();
    QString listenProblem;
    if (address.isNull())
        listenProblem = tr("Not an IP address: enter one such as 127.0.0.1 or ::1.");
    else if (!address.isLoopback() && !settings.allowRemote)
        listenProblem = tr("%1 is reachable from other machines: tick the box above to listen "
                           "on it anyway.").arg(settings.listenAddress);
    else if (!address.isLoopback())
        listenProblem = tr("Warning: anyone who reaches %1 can use the upstream through this "
                           "proxy, with the credentials your application sends.")
                            .arg(settings.listenUrl().authority());
    m_listenHint->setText(listenProblem);
    m_listenHint->setVisible(!listenProblem.isEmpty());

    const bool upstreamValid = isValidUrl(m_upstreamEdit->text().trimmed());
    m_upstreamHint->setText(tr("The server the application would talk to, starting with "
                               "http:// or https://."));
    m_upstreamHint->setVisible(!upstreamValid && !m_upstreamEdit->text().trimmed().isEmpty());
    m_baseUrlHint->setText(tr("Point the application's base URL (OPENAI_BASE_URL, "
                              "ANTHROPIC_BASE_URL, its API base setting) at %1. Each exchange "
                              "shows up under the proxy; event streams as connections of their "
                              "own.").arg(settings.listenUrl().toString()));
    m_buttonBox->button(QDialogButtonBox::Ok)->setEnabled(settings.isValid());
}

ConnectionDialog::~ConnectionDialog() = default;

QWidget *ConnectionDialog::createHeadersPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);

    m_headerTable = new QTableWidget(0, 3, page);
    m_headerTable->setObjectName(QStringLiteral("headerTable"));
    m_headerTable->setAccessibleName(tr("Request headers"));
    m_headerTable->setHorizontalHeaderLabels({tr("Name"), tr("Value"), tr("Show")});
    m_headerTable->setItemDelegateForColumn(HeaderValueColumn, new SecretValueDelegate(this));
    m_headerTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_headerTable->setTabKeyNavigation(false);
    m_headerTable->verticalHeader()->hide();
    m_headerTable->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    QHeaderView *header = m_headerTable->horizontalHeader();
    header->setSectionResizeMode(HeaderNameColumn, QHeaderView::Interactive);
    header->setSectionResizeMode(HeaderValueColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(HeaderShowColumn, QHeaderView::ResizeToContents);
    header->resizeSection(HeaderNameColumn, 200);
    connect(m_headerTable, &QTableWidget::itemChanged, this,
            &ConnectionDialog::onHeaderItemChanged);

    auto *label = new QLabel(tr("Request h&eaders:"), page);
    label->setBuddy(m_headerTable);

    m_addHeaderButton = new QPushButton(tr("&Add"), page);
    m_addHeaderButton->setObjectName(QStringLiteral("addHeaderButton"));
    m_addHeaderButton->setToolTip(tr("Add a request header"));
    m_removeHeaderButton = new QPushButton(tr("Remo&ve"), page);
    m_removeHeaderButton->setObjectName(QStringLiteral("removeHeaderButton"));
    m_removeHeaderButton->setToolTip(tr("Remove the selected headers"));
    m_removeHeaderButton->setEnabled(false);
    connect(m_addHeaderButton, &QPushButton::clicked, this, [this] {
        addHeaderRow(QString(), QString());
        const int row = m_headerTable->rowCount() - 1;
        m_headerTable->setCurrentCell(row, HeaderNameColumn);
        m_headerTable->editItem(m_headerTable->item(row, HeaderNameColumn));
    });
    connect(m_removeHeaderButton, &QPushButton::clicked, this,
            &ConnectionDialog::removeSelectedHeaders);
    connect(m_headerTable, &QTableWidget::itemSelectionChanged, this, [this] {
        m_removeHeaderButton->setEnabled(!m_headerTable->selectedItems().isEmpty());
    });

    auto *note = new QLabel(tr("Values of secret-looking headers (Authorization, cookies, keys, "
                               "tokens) are masked; tick Show to see one."),
                            page);
    note->setWordWrap(true);
    note->setEnabled(false); // drawn in the disabled (dimmer) text colour

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_addHeaderButton);
    buttons->addWidget(m_removeHeaderButton);
    buttons->addStretch(1);

    layout->addWidget(label);
    layout->addWidget(m_headerTable, 1);
    layout->addLayout(buttons);
    layout->addWidget(note);
    return page;
}

QWidget *ConnectionDialog::createBodyPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);

    m_bodyEdit = new QPlainTextEdit(page);
    m_bodyEdit->setObjectName(QStringLiteral("bodyEdit"));
    m_bodyEdit->setAccessibleName(tr("Request body"));
    m_bodyEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_bodyEdit->setTabChangesFocus(true);
    m_bodyEdit->setPlaceholderText(tr("The request body, for example the JSON of an LLM API "
                                      "call."));
    connect(m_bodyEdit, &QPlainTextEdit::textChanged, this,
            &ConnectionDialog::updateContentTypeHint);

    auto *label = new QLabel(tr("Request b&ody:"), page);
    label->setBuddy(m_bodyEdit);
    m_bodyNote = new QLabel(tr("GET requests are sent without a body: choose POST, PUT or PATCH "
                               "to send one."),
                            page);
    m_bodyNote->setObjectName(QStringLiteral("bodyNote"));
    m_bodyNote->setWordWrap(true);

    m_contentTypeHint = new QWidget(page);
    m_contentTypeHint->setObjectName(QStringLiteral("contentTypeHint"));
    auto *hintLayout = new QHBoxLayout(m_contentTypeHint);
    hintLayout->setContentsMargins(0, 0, 0, 0);
    auto *hintLabel = createHint(m_contentTypeHint);
    hintLabel->setText(tr("The body looks like JSON, but no Content-Type header is set."));
    m_contentTypeButton
            = new QPushButton(tr("Add Content-&Type: application/json"), m_contentTypeHint);
    m_contentTypeButton->setObjectName(QStringLiteral("contentTypeButton"));
    connect(m_contentTypeButton, &QPushButton::clicked, this,
            &ConnectionDialog::addContentTypeHeader);
    hintLayout->addWidget(hintLabel, 1);
    hintLayout->addWidget(m_contentTypeButton);

    layout->addWidget(label);
    layout->addWidget(m_bodyNote);
    layout->addWidget(m_bodyEdit, 1);
    layout->addWidget(m_contentTypeHint);
    return page;
}

QWidget *ConnectionDialog::createReconnectPage()
{
    auto *page = new QWidget(this);
    auto *form = new QFormLayout(page);

    m_policyCombo = new QComboBox(page);
    m_policyCombo->setObjectName(QStringLiteral("policyCombo"));
    m_policyCombo->setAccessibleName(tr("Reconnect policy"));
    m_policyCombo->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    const auto addPolicy = [this](const QString &text, Sse::ReconnectPolicy policy,
                                  const QString &toolTip) {
        m_policyCombo->addItem(text, int(policy));
        m_policyCombo->setItemData(m_policyCombo->count() - 1, toolTip, Qt::ToolTipRole);
    };
    addPolicy(tr("Server retry (browser behaviour)"), Sse::ReconnectPolicy::ServerRetry,
              tr("Wait the reconnection time, which the server can change with a retry: field"));
    addPolicy(tr("Fixed delay"), Sse::ReconnectPolicy::Fixed,
              tr("Always wait the fixed delay, whatever the server says"));
    addPolicy(tr("Exponential backoff"), Sse::ReconnectPolicy::ExponentialBackoff,
              tr("Double the wait after each failed attempt, up to the maximum delay"));
    addPolicy(tr("Never reconnect"), Sse::ReconnectPolicy::Never,
              tr("Close when the stream ends or the network fails (LLM streams)"));
    connect(m_policyCombo, &QComboBox::currentIndexChanged, this,
            &ConnectionDialog::updatePolicyState);

    m_defaultRetrySpin = createMillisecondsSpin(tr("Reconnection time"), page);
    m_defaultRetrySpin->setObjectName(QStringLiteral("defaultRetrySpin"));
    m_defaultRetrySpin->setToolTip(tr("The wait before reconnecting until the server sends a "
                                      "retry: field; also the first delay of exponential "
                                      "backoff"));
    m_fixedDelaySpin = createMillisecondsSpin(tr("Fixed delay"), page);
    m_fixedDelaySpin->setObjectName(QStringLiteral("fixedDelaySpin"));
    m_backoffMaximumSpin = createMillisecondsSpin(tr("Maximum delay"), page);
    m_backoffMaximumSpin->setObjectName(QStringLiteral("backoffMaximumSpin"));

    m_jitterSpin = new QDoubleSpinBox(page);
    m_jitterSpin->setObjectName(QStringLiteral("jitterSpin"));
    m_jitterSpin->setAccessibleName(tr("Jitter"));
    m_jitterSpin->setToolTip(tr("Each delay is changed by up to this much, up or down, so that "
                                "many clients do not reconnect at the same moment"));
    m_jitterSpin->setRange(0, 100);
    m_jitterSpin->setDecimals(0);
    m_jitterSpin->setSuffix(QStringLiteral(" %"));
    m_jitterSpin->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);

    m_backoffResetSpin = createSecondsSpin(tr("Reset backoff after"), 24 * 60 * 60, page);
    m_backoffResetSpin->setObjectName(QStringLiteral("backoffResetSpin"));
    m_backoffResetSpin->setToolTip(tr("A connection that stays open this long starts the "
                                      "backoff from the beginning again"));

    m_maximumAttemptsSpin = new QSpinBox(page);
    m_maximumAttemptsSpin->setObjectName(QStringLiteral("maximumAttemptsSpin"));
    m_maximumAttemptsSpin->setAccessibleName(tr("Maximum attempts"));
    m_maximumAttemptsSpin->setRange(0, 1000000);
    m_maximumAttemptsSpin->setSpecialValueText(tr("Unlimited"));
    m_maximumAttemptsSpin->setGroupSeparatorShown(true);
    m_maximumAttemptsSpin->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    m_maximumAttemptsSpin->setToolTip(tr("Give up after this many failed attempts in a row"));

    m_resendCheck = new QCheckBox(tr("Re-&send POST after a drop"), page);
    m_resendCheck->setObjectName(QStringLiteral("resendCheck"));
    m_resendCheck->setToolTip(tr("Also reconnect requests that are not idempotent (POST, "
                                 "PATCH). Off for LLM APIs: every request starts a new, billed "
                                 "answer."));

    m_lastEventIdEdit = new QLineEdit(page);
    m_lastEventIdEdit->setObjectName(QStringLiteral("lastEventIdEdit"));
    m_lastEventIdEdit->setAccessibleName(tr("Initial Last-Event-ID"));
    m_lastEventIdEdit->setPlaceholderText(tr("None"));
    m_lastEventIdEdit->setToolTip(tr("Sent as the Last-Event-ID header of the first request, "
                                     "to resume a stream"));

    form->addRow(tr("&Policy:"), m_policyCombo);
    form->addRow(tr("Reconnection &time:"), m_defaultRetrySpin);
    form->addRow(tr("Fixed &delay:"), m_fixedDelaySpin);
    form->addRow(tr("Ma&ximum delay:"), m_backoffMaximumSpin);
    form->addRow(tr("&Jitter:"), m_jitterSpin);
    form->addRow(tr("Reset backoff &after:"), m_backoffResetSpin);
    form->addRow(tr("Maximum atte&mpts:"), m_maximumAttemptsSpin);
    form->addRow(QString(), m_resendCheck);
    form->addRow(tr("Initial Last-Event-&ID:"), m_lastEventIdEdit);
    return page;
}

QWidget *ConnectionDialog::createLimitsPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);

    auto *limits = new QGroupBox(tr("Limits"), page);
    auto *limitsForm = new QFormLayout(limits);
    m_connectTimeoutSpin = createSecondsSpin(tr("Connect timeout"), 60 * 60, limits);
    m_connectTimeoutSpin->setObjectName(QStringLiteral("connectTimeoutSpin"));
    m_connectTimeoutSpin->setSpecialValueText(tr("None"));
    m_connectTimeoutSpin->setToolTip(tr("Longest wait from sending the request to the response "
                                        "headers; 0 waits forever"));
    m_idleTimeoutSpin = createSecondsSpin(tr("Idle timeout"), 24 * 60 * 60, limits);
    m_idleTimeoutSpin->setObjectName(QStringLiteral("idleTimeoutSpin"));
    m_idleTimeoutSpin->setSpecialValueText(tr("Off"));
    m_idleTimeoutSpin->setToolTip(tr("Treat the connection as dropped when no byte arrives for "
                                     "this long; 0 turns it off"));
    m_maximumEventSizeSpin = new QDoubleSpinBox(limits);
    m_maximumEventSizeSpin->setObjectName(QStringLiteral("maximumEventSizeSpin"));
    m_maximumEventSizeSpin->setAccessibleName(tr("Maximum event size"));
    m_maximumEventSizeSpin->setDecimals(1);
    m_maximumEventSizeSpin->setRange(0.1, 4096);
    m_maximumEventSizeSpin->setSuffix(QStringLiteral(" MiB"));
    m_maximumEventSizeSpin->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    m_maximumEventSizeSpin->setToolTip(tr("A larger event fails the connection instead of "
                                          "filling memory"));
    limitsForm->addRow(tr("&Connect timeout:"), m_connectTimeoutSpin);
    limitsForm->addRow(tr("Idle time&out:"), m_idleTimeoutSpin);
    limitsForm->addRow(tr("Maximum &event size:"), m_maximumEventSizeSpin);
    m_overflowCombo = new QComboBox(limits);
    m_overflowCombo->setObjectName(QStringLiteral("overflowCombo"));
    m_overflowCombo->setAccessibleName(tr("When the window falls behind"));
    m_overflowCombo->addItem(tr("Pause reading (nothing is lost)"),
                             int(Sse::OverflowPolicy::Throttle));
    m_overflowCombo->addItem(tr("Drop the newest events and count them"),
                             int(Sse::OverflowPolicy::DropEvents));
    m_overflowCombo->setToolTip(tr("A stream faster than the window can show: pausing makes the "
                                   "server slow down; dropping keeps the newest flowing and shows "
                                   "how many were left out"));
    limitsForm->addRow(tr("When the window falls &behind:"), m_overflowCombo);
    m_forwardCredentialsCheck =
        new QCheckBox(tr("Send credentials to &redirect targets on other hosts"), limits);
    m_forwardCredentialsCheck->setObjectName(QStringLiteral("forwardCredentialsCheck"));
    m_forwardCredentialsCheck->setToolTip(
        tr("Off: Authorization, cookies, secret headers and the request body stay with the "
           "origin they were meant for when a redirect leads elsewhere"));
    limitsForm->addRow(m_forwardCredentialsCheck);

    auto *tls = new QGroupBox(tr("TLS"), page);
    auto *tlsForm = new QFormLayout(tls);
    m_insecureCheck = new QCheckBox(tr("Allow &insecure TLS (accept any certificate)"), tls);
    m_insecureCheck->setObjectName(QStringLiteral("insecureCheck"));
    m_insecureWarning = createHint(tls);
    m_insecureWarning->setObjectName(QStringLiteral("insecureWarning"));
    m_insecureWarning->setText(tr("Warning: every certificate is accepted, so anyone on the "
                                  "network path can read and change this stream. Use it only "
                                  "for local test servers."));
    connect(m_insecureCheck, &QCheckBox::toggled, this,
            [this](bool checked) { m_insecureWarning->setVisible(checked); });

    m_http1OnlyCheck = new QCheckBox(tr("HTTP/&1.1 only (do not offer HTTP/2)"), tls);
    m_http1OnlyCheck->setObjectName(QStringLiteral("http1OnlyCheck"));
    m_http1OnlyCheck->setToolTip(tr("Over https, HTTP/2 is used when the server offers it and "
                                    "streams to one server share a connection. Tick this for "
                                    "servers or proxies whose HTTP/2 misbehaves."));

    m_caStatus = new QLabel(tls);
    m_caStatus->setObjectName(QStringLiteral("caStatus"));
    m_caStatus->setTextFormat(Qt::PlainText);
    m_caChooseButton = new QPushButton(tr("C&hoose File\u2026"), tls);
    m_caChooseButton->setObjectName(QStringLiteral("caChooseButton"));
    m_caChooseButton->setAccessibleName(tr("Choose a CA certificates file"));
    m_caChooseButton->setToolTip(tr("Trust the certificates of a PEM file in addition to the "
                                    "system's"));
    m_caClearButton = new QPushButton(tr("Clea&r"), tls);
    m_caClearButton->setObjectName(QStringLiteral("caClearButton"));
    m_caClearButton->setAccessibleName(tr("Clear the CA certificates"));
    connect(m_caChooseButton, &QPushButton::clicked, this, &ConnectionDialog::chooseCaFile);
    connect(m_caClearButton, &QPushButton::clicked, this, [this] {
        m_caCertificatesPem.clear();
        m_caError->hide();
        updateCaState();
    });
    auto *caRow = new QHBoxLayout;
    caRow->addWidget(m_caStatus, 1);
    caRow->addWidget(m_caChooseButton);
    caRow->addWidget(m_caClearButton);
    m_caError = createHint(tls);
    m_caError->setObjectName(QStringLiteral("caError"));
    m_caError->hide();

    m_acceptedCertificateRow = new QWidget(tls);
    auto *acceptedLayout = new QHBoxLayout(m_acceptedCertificateRow);
    acceptedLayout->setContentsMargins(0, 0, 0, 0);
    auto *acceptedLabel = createHint(m_acceptedCertificateRow);
    acceptedLabel->setText(tr("A server certificate you accepted earlier is trusted for this "
                              "connection."));
    m_forgetCertificateButton = new QPushButton(tr("&Forget"), m_acceptedCertificateRow);
    m_forgetCertificateButton->setObjectName(QStringLiteral("forgetCertificateButton"));
    m_forgetCertificateButton->setAccessibleName(tr("Forget the accepted server certificate"));
    connect(m_forgetCertificateButton, &QPushButton::clicked, this, [this] {
        m_acceptedCertificatePem.clear();
        updateAcceptedCertificateState();
    });
    acceptedLayout->addWidget(acceptedLabel, 1);
    acceptedLayout->addWidget(m_forgetCertificateButton);

    auto *caLabel = new QLabel(tr("CA certificates:"), tls);
    caLabel->setBuddy(m_caChooseButton);
    tlsForm->addRow(m_insecureCheck);
    tlsForm->addRow(m_insecureWarning);
    tlsForm->addRow(m_http1OnlyCheck);
    tlsForm->addRow(caLabel, caRow);
    tlsForm->addRow(QString(), m_caError);
    tlsForm->addRow(m_acceptedCertificateRow);

    layout->addWidget(limits);
    layout->addWidget(tls);
    layout->addStretch(1);
    return page;
}

void ConnectionDialog::setUpTabOrder()
{
    const QList<QWidget *> chain{
            m_nameEdit,
            m_methodCombo,
            m_urlEdit,
            m_tabs,
            m_headerTable,
            m_addHeaderButton,
            m_removeHeaderButton,
            m_bodyEdit,
            m_contentTypeButton,
            m_policyCombo,
            m_defaultRetrySpin,
            m_fixedDelaySpin,
            m_backoffMaximumSpin,
            m_jitterSpin,
            m_backoffResetSpin,
            m_maximumAttemptsSpin,
            m_resendCheck,
            m_lastEventIdEdit,
            m_connectTimeoutSpin,
            m_idleTimeoutSpin,
            m_maximumEventSizeSpin,
            m_overflowCombo,
            m_forwardCredentialsCheck,
            m_insecureCheck,
            m_http1OnlyCheck,
            m_caChooseButton,
            m_caClearButton,
            m_forgetCertificateButton,
            m_proxyEdit,
            m_proxyPasswordEdit,
            m_noProxyEdit,
            m_certificateEdit,
            m_certificateButton,
            m_certificateTypeCombo,
            m_keyEdit,
            m_keyButton,
            m_passphraseEdit,
            m_ndjsonCheck,
            m_presetsButton,
            m_curlButton,
            m_buttonBox,
    };
    for (qsizetype i = 1; i < chain.size(); ++i)
        setTabOrder(chain.at(i - 1), chain.at(i));
}

void ConnectionDialog::setAcceptText(const QString &text)
{
    m_buttonBox->button(QDialogButtonBox::Ok)->setText(text);
}

void ConnectionDialog::setConnection(const QString &name, const Sse::ClientOptions &options)
{
    m_loaded = options;

    m_nameEdit->setText(name);
    m_methodCombo->setCurrentText(QString::fromLatin1(options.method));
    m_urlEdit->setText(Sse::urlText(options.url));

    {
        QScopedValueRollback guard(m_updatingHeaders, true);
        m_headerTable->setRowCount(0);
    }
    for (const auto &[headerName, headerValue] : options.headers)
        addHeaderRow(QString::fromUtf8(headerName), QString::fromUtf8(headerValue));

    m_bodyEdit->setPlainText(QString::fromUtf8(options.body));

    m_policyCombo->setCurrentIndex(qMax(0, m_policyCombo->findData(int(options.reconnectPolicy))));
    m_defaultRetrySpin->setValue(options.defaultRetryMs);
    m_fixedDelaySpin->setValue(options.fixedDelayMs);
    m_backoffMaximumSpin->setValue(options.backoffMaximumMs);
    m_jitterSpin->setValue(options.backoffJitter * 100);
    m_backoffResetSpin->setValue(options.backoffResetAfterMs / 1000.0);
    m_maximumAttemptsSpin->setValue(options.maximumAttempts);
    m_resendCheck->setChecked(options.reconnectNonIdempotent);
    m_lastEventIdEdit->setText(QString::fromUtf8(options.initialLastEventId));

    m_connectTimeoutSpin->setValue(options.connectTimeoutMs / 1000.0);
    m_idleTimeoutSpin->setValue(options.idleTimeoutMs / 1000.0);
    m_maximumEventSizeSpin->setValue(double(options.maximumEventSize) / MebiByte);
    m_overflowCombo->setCurrentIndex(m_overflowCombo->findData(int(options.overflowPolicy)));
    m_forwardCredentialsCheck->setChecked(options.forwardCredentialsOnRedirect);
    m_insecureCheck->setChecked(options.allowInsecureTls);
    m_http1OnlyCheck->setChecked(options.http1Only);
    m_insecureWarning->setVisible(options.allowInsecureTls);
    m_caCertificatesPem = options.caCertificatesPem;
    m_caError->hide();
    m_acceptedCertificatePem = options.acceptedCertificatePem;
    m_proxyEdit->setText(Sse::proxyUrlWithoutPassword(options.proxy));
    m_proxyPasswordEdit->setText(Sse::proxyUrlPassword(options.proxy));
    m_noProxyEdit->setText(options.noProxy);
    m_certificateEdit->setText(options.clientCertificateFile);
    m_certificateTypeCombo->setCurrentIndex(
        m_certificateTypeCombo->findData(int(options.clientCertificateType)));
    m_keyEdit->setText(options.clientKeyFile);
    m_passphraseEdit->setText(QString::fromUtf8(options.clientKeyPassphrase));
    m_ndjsonCheck->setChecked(options.bodyFormat == Sse::BodyFormat::NdJson);

    m_shown.connectTimeout = m_connectTimeoutSpin->value();
    m_shown.idleTimeout = m_idleTimeoutSpin->value();
    m_shown.maximumEventSize = m_maximumEventSizeSpin->value();
    m_shown.jitter = m_jitterSpin->value();
    m_shown.backoffReset = m_backoffResetSpin->value();
    m_shown.url = m_urlEdit->text();
    m_shown.body = m_bodyEdit->toPlainText();

    updateUrlState();
    updateMethodState();
    updatePolicyState();
    updateCaState();
    updateAcceptedCertificateState();
}

QString ConnectionDialog::name() const
{
    const QString name = m_nameEdit->text().trimmed();
    if (!name.isEmpty())
        return name;
    if (kind() == Kind::Proxy)
        return tr("Proxy %1").arg(QUrl(m_upstreamEdit->text().trimmed()).host());
    return defaultName(QUrl(m_urlEdit->text().trimmed()));
}

bool ConnectionDialog::hasTypedName() const
{
    return !m_nameEdit->text().trimmed().isEmpty();
}

QString ConnectionDialog::defaultName(const QUrl &url)
{
    // Host and path tell streams of one server apart ("127.0.0.1/quotes").
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    return url.host() + path;
}

Sse::ClientOptions ConnectionDialog::options() const
{
    Sse::ClientOptions options;

    const QString urlText = m_urlEdit->text();
    options.url = urlText == m_shown.url ? m_loaded.url : QUrl(urlText.trimmed());

    const QString method = m_methodCombo->currentText().trimmed();
    options.method = method.isEmpty() ? QByteArrayLiteral("GET") : method.toLatin1();

    for (int row = 0; row < m_headerTable->rowCount(); ++row) {
        const QString headerName = m_headerTable->item(row, HeaderNameColumn)->text().trimmed();
        if (headerName.isEmpty())
            continue;
        const QString value = m_headerTable->item(row, HeaderValueColumn)
                                      ->data(SecretValueDelegate::ValueRole)
                                      .toString();
        options.headers.append({headerName.toUtf8(), value.toUtf8()});
    }

    // The body field is disabled for GET, so whatever it holds is not sent.
    if (m_bodyEdit->isEnabled()) {
        const QString body = m_bodyEdit->toPlainText();
        options.body = body == m_shown.body ? m_loaded.body : body.toUtf8();
    }

    options.reconnectPolicy = currentPolicy();
    options.defaultRetryMs = m_defaultRetrySpin->value();
    options.fixedDelayMs = m_fixedDelaySpin->value();
    options.backoffMaximumMs = m_backoffMaximumSpin->value();
    options.backoffJitter = m_jitterSpin->value() == m_shown.jitter ? m_loaded.backoffJitter
                                                                    : m_jitterSpin->value() / 100.0;
    options.backoffResetAfterMs = keptOrConverted(m_backoffResetSpin->value(), m_shown.backoffReset,
                                                  m_loaded.backoffResetAfterMs, 1000);
    options.maximumAttempts = m_maximumAttemptsSpin->value();
    options.reconnectNonIdempotent = m_resendCheck->isChecked();
    options.initialLastEventId = m_lastEventIdEdit->text().toUtf8();

    options.connectTimeoutMs = keptOrConverted(
            m_connectTimeoutSpin->value(), m_shown.connectTimeout, m_loaded.connectTimeoutMs, 1000);
    options.idleTimeoutMs = keptOrConverted(m_idleTimeoutSpin->value(), m_shown.idleTimeout,
                                            m_loaded.idleTimeoutMs, 1000);
    options.maximumEventSize
            = keptOrConverted(m_maximumEventSizeSpin->value(), m_shown.maximumEventSize,
                              m_loaded.maximumEventSize, MebiByte);
    options.overflowPolicy = Sse::OverflowPolicy(m_overflowCombo->currentData().toInt());
    options.forwardCredentialsOnRedirect = m_forwardCredentialsCheck->isChecked();
    options.allowInsecureTls = m_insecureCheck->isChecked();
    options.http1Only = m_http1OnlyCheck->isChecked();
    options.http2PriorKnowledge = m_loaded.http2PriorKnowledge; // CLI and profiles only
    options.caCertificatesPem = m_caCertificatesPem;
    options.acceptedCertificatePem = m_acceptedCertificatePem;
    const QString proxy = m_proxyEdit->text().trimmed();
    options.proxy = m_proxyPasswordEdit->text().isEmpty()
        ? proxy
        : Sse::proxyUrlWithPassword(proxy, m_proxyPasswordEdit->text());
    options.noProxy = m_noProxyEdit->text().trimmed();
    options.clientCertificateFile = m_certificateEdit->text().trimmed();
    options.clientCertificateType =
        Sse::CertificateType(m_certificateTypeCombo->currentData().toInt());
    options.clientKeyFile = m_keyEdit->text().trimmed();
    options.clientKeyPassphrase = m_passphraseEdit->text().toUtf8();
    options.bodyFormat =
        m_ndjsonCheck->isChecked() ? Sse::BodyFormat::NdJson : Sse::BodyFormat::EventStream;
    return options;
}

QWidget *ConnectionDialog::createNetworkPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);

    auto *proxyBox = new QGroupBox(tr("Proxy"), page);
    auto *proxyForm = new QFormLayout(proxyBox);
    m_proxyEdit = new QLineEdit(proxyBox);
    m_proxyEdit->setObjectName(QStringLiteral("proxyEdit"));
    m_proxyEdit->setAccessibleName(tr("Proxy"));
    m_proxyEdit->setPlaceholderText(tr("From the environment (http_proxy, https_proxy, ALL_PROXY)"));
    m_proxyEdit->setToolTip(tr("http://user@host:port, socks5://host:port or socks5h://host:port "
                               "(the proxy resolves the host name)"));
    m_proxyPasswordEdit = new QLineEdit(proxyBox);
    m_proxyPasswordEdit->setObjectName(QStringLiteral("proxyPasswordEdit"));
    m_proxyPasswordEdit->setAccessibleName(tr("Proxy password"));
    m_proxyPasswordEdit->setEchoMode(QLineEdit::Password);
    m_proxyPasswordEdit->setToolTip(tr("Kept in the system keychain like secret headers, never "
                                       "in the settings"));
    m_noProxyEdit = new QLineEdit(proxyBox);
    m_noProxyEdit->setObjectName(QStringLiteral("noProxyEdit"));
    m_noProxyEdit->setAccessibleName(tr("No proxy for"));
    m_noProxyEdit->setPlaceholderText(tr("From NO_PROXY; e.g. internal.example, 10.0.0.0/8, * for "
                                         "none"));
    m_proxyError = createHint(proxyBox);
    m_proxyError->setObjectName(QStringLiteral("proxyError"));
    m_proxyError->hide();
    proxyForm->addRow(tr("Pro&xy URL:"), m_proxyEdit);
    proxyForm->addRow(tr("Proxy &password:"), m_proxyPasswordEdit);
    proxyForm->addRow(tr("&No proxy for:"), m_noProxyEdit);
    proxyForm->addRow(QString(), m_proxyError);

    auto *certificateBox = new QGroupBox(tr("Client certificate (mutual TLS)"), page);
    auto *certificateForm = new QFormLayout(certificateBox);
    auto fileRow = [certificateBox](QLineEdit **edit, QPushButton **button, const QString &name) {
        *edit = new QLineEdit(certificateBox);
        (*edit)->setAccessibleName(name);
        *button = new QPushButton(tr("Browse\u2026"), certificateBox);
        (*button)->setAccessibleName(tr("Choose: %1").arg(name));
        auto *row = new QHBoxLayout;
        row->addWidget(*edit, 1);
        row->addWidget(*button);
        return row;
    };
    QHBoxLayout *certificateRow =
        fileRow(&m_certificateEdit, &m_certificateButton, tr("Certificate file"));
    m_certificateEdit->setObjectName(QStringLiteral("certificateEdit"));
    m_certificateEdit->setPlaceholderText(tr("None"));
    m_certificateTypeCombo = new QComboBox(certificateBox);
    m_certificateTypeCombo->setObjectName(QStringLiteral("certificateTypeCombo"));
    m_certificateTypeCombo->setAccessibleName(tr("Certificate format"));
    m_certificateTypeCombo->addItem(tr("PEM"), int(Sse::CertificateType::Pem));
    m_certificateTypeCombo->addItem(tr("PKCS#12 (.p12, .pfx)"), int(Sse::CertificateType::Pkcs12));
    QHBoxLayout *keyRow = fileRow(&m_keyEdit, &m_keyButton, tr("Private key file"));
    m_keyEdit->setObjectName(QStringLiteral("keyEdit"));
    m_keyEdit->setPlaceholderText(tr("In the certificate file"));
    m_passphraseEdit = new QLineEdit(certificateBox);
    m_passphraseEdit->setObjectName(QStringLiteral("passphraseEdit"));
    m_passphraseEdit->setAccessibleName(tr("Key passphrase"));
    m_passphraseEdit->setEchoMode(QLineEdit::Password);
    m_passphraseEdit->setToolTip(tr("The key's or the PKCS#12 file's password; kept in the system "
                                    "keychain, never in the settings"));
    connect(m_certificateButton, &QPushButton::clicked, this, [this] {
        chooseFile(m_certificateEdit, tr("Client Certificate"),
                   tr("Certificates (*.pem *.crt *.cer *.p12 *.pfx);;All files (*)"));
        const QString suffix = QFileInfo(m_certificateEdit->text()).suffix().toLower();
        if (suffix == QLatin1String("p12") || suffix == QLatin1String("pfx"))
            m_certificateTypeCombo->setCurrentIndex(
                m_certificateTypeCombo->findData(int(Sse::CertificateType::Pkcs12)));
    });
    connect(m_keyButton, &QPushButton::clicked, this, [this] {
        chooseFile(m_keyEdit, tr("Private Key"), tr("Keys (*.pem *.key);;All files (*)"));
    });
    auto syncKeyField = [this] {
        const bool pem = m_certificateTypeCombo->currentData().toInt()
            == int(Sse::CertificateType::Pem);
        m_keyEdit->setEnabled(pem);
        m_keyButton->setEnabled(pem);
    };
    connect(m_certificateTypeCombo, &QComboBox::currentIndexChanged, this, syncKeyField);
    // A row that is a layout gets no buddy by itself: the mnemonic goes to the line edit.
    auto *certificateLabel = new QLabel(tr("Cer&tificate:"), certificateBox);
    certificateLabel->setBuddy(m_certificateEdit);
    auto *keyLabel = new QLabel(tr("Private &key:"), certificateBox);
    keyLabel->setBuddy(m_keyEdit);
    certificateForm->addRow(certificateLabel, certificateRow);
    certificateForm->addRow(tr("&Format:"), m_certificateTypeCombo);
    certificateForm->addRow(keyLabel, keyRow);
    certificateForm->addRow(tr("Passp&hrase:"), m_passphraseEdit);

    auto *responseBox = new QGroupBox(tr("Response"), page);
    auto *responseLayout = new QVBoxLayout(responseBox);
    m_ndjsonCheck = new QCheckBox(tr("Also read N&DJSON / JSON streams: each line or array "
                                     "element becomes an event of type \"ndjson\""),
                                  responseBox);
    m_ndjsonCheck->setObjectName(QStringLiteral("ndjsonCheck"));
    m_ndjsonCheck->setToolTip(tr("For endpoints that stream application/x-ndjson, "
                                 "application/jsonl or a JSON array (Ollama's native API, "
                                 "Gemini without alt=sse)"));
    responseLayout->addWidget(m_ndjsonCheck);

    layout->addWidget(proxyBox);
    layout->addWidget(certificateBox);
    layout->addWidget(responseBox);
    layout->addStretch(1);
    return page;
}

void ConnectionDialog::chooseFile(QLineEdit *edit, const QString &title, const QString &filter)
{
    const QString fileName = QFileDialog::getOpenFileName(this, title, edit->text(), filter);
    if (!fileName.isEmpty())
        edit->setText(fileName);
}

bool ConnectionDialog::applyCurlCommand(const QString &command, QString *error)
{
    m_curlError.clear();
    Sse::CurlCommand parsed;
    if (!Sse::CurlCommand::parse(command, &parsed, error))
        return false;
    const QString keptName = m_nameEdit->text();
    setConnection(keptName, parsed.options);
    return true;
}

void ConnectionDialog::askForCurlCommand()
{
    auto *input = new QInputDialog(this);
    input->setAttribute(Qt::WA_DeleteOnClose);
    input->setObjectName(QStringLiteral("curlInput"));
    input->setWindowTitle(tr("From cURL"));
    input->setLabelText(tr("Paste a curl command (bash quoting, as \"Copy as cURL\" writes it):"));
    input->setOption(QInputDialog::UsePlainTextEditForTextInput);
    input->resize(640, 320);
    connect(input, &QInputDialog::textValueSelected, this, [this](const QString &text) {
        QString error;
        if (!applyCurlCommand(text, &error)) {
            m_urlHint->setText(tr("The curl command was not used: %1").arg(error));
            m_urlHint->show();
        }
    });
    input->open();
}

void ConnectionDialog::onUrlEdited(const QString &text)
{
    // A paste (more than one character at once), or the edit that made the field a command:
    // a command typed by hand is not taken over half-way.
    const bool pasted = qAbs(text.size() - m_previousUrlText.size()) > 1
        || !Sse::CurlCommand::looksLikeCommand(m_previousUrlText);
    if (!pasted || !Sse::CurlCommand::looksLikeCommand(text))
        return;
    if (!applyCurlCommand(text, &m_curlError))
        updateUrlState();
}

QString ConnectionDialog::presetName(Preset preset)
{
    switch (preset) {
    case Preset::OpenAiChat:
        return tr("OpenAI-style chat stream (POST)");
    case Preset::AnthropicMessages:
        return tr("Anthropic-style messages stream (POST)");
    case Preset::OpenAiResponses:
        return tr("OpenAI Responses stream (POST)");
    case Preset::GeminiStream:
        return tr("Gemini streamGenerateContent (POST)");
    case Preset::WikimediaRecentChanges:
        return tr("Wikimedia recent changes");
    }
    return {};
}

Sse::ClientOptions ConnectionDialog::presetOptions(Preset preset)
{
    Sse::ClientOptions options;
    switch (preset) {
    case Preset::OpenAiChat:
    case Preset::OpenAiResponses:
        options.url = QUrl(preset == Preset::OpenAiChat
                               ? QStringLiteral("https://api.openai.com/v1/chat/completions")
                               : QStringLiteral("https://api.openai.com/v1/responses"));
        options.method = QByteArrayLiteral("POST");
        options.headers = {
                {QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer <API key>")},
                {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")},
        };
        options.reconnectPolicy = Sse::ReconnectPolicy::Never;
        break;
    case Preset::AnthropicMessages:
        options.url = QUrl(QStringLiteral("https://api.anthropic.com/v1/messages"));
        options.method = QByteArrayLiteral("POST");
        options.headers = {
                {QByteArrayLiteral("x-api-key"), QByteArrayLiteral("<API key>")},
                {QByteArrayLiteral("anthropic-version"), QByteArrayLiteral("2023-06-01")},
                {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")},
        };
        options.reconnectPolicy = Sse::ReconnectPolicy::Never;
        break;
    case Preset::GeminiStream:
        options.url = QUrl(QStringLiteral("https://generativelanguage.googleapis.com/v1beta/models/"
                                          "gemini-2.5-flash:streamGenerateContent?alt=sse"));
        options.method = QByteArrayLiteral("POST");
        options.headers = {
                {QByteArrayLiteral("x-goog-api-key"), QByteArrayLiteral("<API key>")},
                {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")},
        };
        options.reconnectPolicy = Sse::ReconnectPolicy::Never;
        break;
    case Preset::WikimediaRecentChanges:
        options.url = QUrl(QStringLiteral("https://stream.wikimedia.org/v2/stream/recentchange"));
        options.method = QByteArrayLiteral("GET");
        options.reconnectPolicy = Sse::ReconnectPolicy::ServerRetry;
        break;
    }
    options.body = bodyTemplate(preset).toUtf8();
    return options;
}

void ConnectionDialog::applyPreset(Preset preset)
{
    setConnection(presetName(preset), presetOptions(preset));

    // The preset's key values are placeholders to overwrite, not secrets: show them.
    for (int row = 0; row < m_headerTable->rowCount(); ++row) {
        QTableWidgetItem *show = m_headerTable->item(row, HeaderShowColumn);
        if (show->flags() & Qt::ItemIsUserCheckable)
            show->setCheckState(Qt::Checked);
    }
    m_tabs->setCurrentIndex(0);
}

bool ConnectionDialog::loadCaCertificates(const QString &fileName)
{
    QFile file(fileName);
    const QString displayName = QFileInfo(fileName).fileName();
    QString error;
    QByteArray pem;
    if (!file.open(QIODevice::ReadOnly)) {
        error = tr("Cannot read %1: %2").arg(displayName, file.errorString());
    } else if (file.size() > MaximumCaFileBytes) {
        error = tr("%1 is too large for a certificate file.").arg(displayName);
    } else {
        pem = file.readAll();
        if (!pem.contains(certificateMarker()))
            error = tr("%1 holds no PEM certificate.").arg(displayName);
    }

    m_caError->setText(error);
    m_caError->setVisible(!error.isEmpty());
    if (m_proxyCaError) {
        m_proxyCaError->setText(error);
        m_proxyCaError->setVisible(!error.isEmpty());
    }
    if (!error.isEmpty())
        return false;
    m_caCertificatesPem = pem;
    updateCaState();
    return true;
}

bool ConnectionDialog::isSecretHeader(const QString &name)
{
    // The one rule for secret header names, shared with profiles, recordings and the CLI.
    return Sse::isSecretHeader(name.trimmed().toUtf8());
}

bool ConnectionDialog::isValidUrl(const QString &text)
{
    const QUrl url(text.trimmed());
    const QString scheme = url.scheme();
    return url.isValid() && (scheme == u"http" || scheme == u"https") && !url.host().isEmpty();
}

void ConnectionDialog::changeEvent(QEvent *event)
{
    QDialog::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        updateHintColours();
}

bool ConnectionDialog::focusHeaderValue(const QString &headerName)
{
    for (int row = 0; row < m_headerTable->rowCount(); ++row) {
        QTableWidgetItem *nameItem = m_headerTable->item(row, HeaderNameColumn);
        if (nameItem->text().trimmed().compare(headerName, Qt::CaseInsensitive) != 0)
            continue;
        m_tabs->setCurrentWidget(m_headerTable->parentWidget());
        m_headerTable->setFocus();
        m_headerTable->setCurrentCell(row, HeaderValueColumn);
        m_headerTable->editItem(m_headerTable->item(row, HeaderValueColumn));
        return true;
    }
    return false;
}

bool ConnectionDialog::focusSecret(const QByteArray &name)
{
    QLineEdit *edit = nullptr;
    if (name == Sse::UrlSecret)
        edit = m_urlEdit;
    else if (name == Sse::ProxyPasswordSecret)
        edit = m_proxyPasswordEdit;
    else if (name == Sse::KeyPassphraseSecret)
        edit = m_passphraseEdit;
    else
        return focusHeaderValue(QString::fromUtf8(name));
    for (QWidget *page = edit; page; page = page->parentWidget()) {
        const int index = m_tabs->indexOf(page);
        if (index >= 0) {
            m_tabs->setCurrentIndex(index);
            break;
        }
    }
    edit->setFocus(Qt::OtherFocusReason);
    const QString mask = QString::fromLatin1(Sse::RedactedMask);
    const qsizetype at = edit == m_urlEdit ? edit->text().indexOf(mask) : -1;
    if (at >= 0)
        edit->setSelection(int(at), int(mask.size()));
    else
        edit->selectAll();
    return true;
}

void ConnectionDialog::addHeaderRow(const QString &name, const QString &value)
{
    {
        QScopedValueRollback guard(m_updatingHeaders, true);
        const int row = m_headerTable->rowCount();
        m_headerTable->insertRow(row);
        m_headerTable->setItem(row, HeaderNameColumn, new QTableWidgetItem(name));
        auto *valueItem = new QTableWidgetItem;
        valueItem->setData(SecretValueDelegate::ValueRole, value);
        m_headerTable->setItem(row, HeaderValueColumn, valueItem);
        auto *showItem = new QTableWidgetItem;
        showItem->setData(Qt::UserRole, false); // masked until the user asks
        m_headerTable->setItem(row, HeaderShowColumn, showItem);
    }
    refreshHeaderRow(m_headerTable->rowCount() - 1);
    updateContentTypeHint();
    updateUrlState();
}

void ConnectionDialog::refreshHeaderRow(int row)
{
    QScopedValueRollback guard(m_updatingHeaders, true);
    QTableWidgetItem *nameItem = m_headerTable->item(row, HeaderNameColumn);
    QTableWidgetItem *valueItem = m_headerTable->item(row, HeaderValueColumn);
    QTableWidgetItem *showItem = m_headerTable->item(row, HeaderShowColumn);
    if (!nameItem || !valueItem || !showItem)
        return;

    // The show item remembers the toggle in Qt::UserRole even while the row is not secret, so
    // a name edited away from "Authorization" and back keeps the choice.
    const bool secret = isSecretHeader(nameItem->text());
    bool revealed = showItem->data(Qt::UserRole).toBool();
    if (secret) {
        showItem->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        showItem->setCheckState(revealed ? Qt::Checked : Qt::Unchecked);
        showItem->setData(Qt::AccessibleTextRole, tr("Show the value"));
        showItem->setToolTip(tr("Show or mask this value"));
    } else {
        showItem->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        showItem->setData(Qt::CheckStateRole, QVariant());
        showItem->setData(Qt::AccessibleTextRole, QVariant());
        showItem->setToolTip(QString());
        revealed = true;
    }

    const QString value = valueItem->data(SecretValueDelegate::ValueRole).toString();
    const bool masked = !revealed;
    valueItem->setData(SecretValueDelegate::MaskedRole, masked);
    valueItem->setText(masked ? SecretValueDelegate::mask(value) : value);
}

void ConnectionDialog::onHeaderItemChanged(QTableWidgetItem *item)
{
    if (m_updatingHeaders)
        return;
    if (item->column() == HeaderShowColumn && (item->flags() & Qt::ItemIsUserCheckable)) {
        QScopedValueRollback guard(m_updatingHeaders, true);
        item->setData(Qt::UserRole, item->checkState() == Qt::Checked);
    }
    refreshHeaderRow(item->row());
    if (item->column() == HeaderNameColumn)
        updateContentTypeHint();
}

void ConnectionDialog::removeSelectedHeaders()
{
    QList<int> rows;
    const QList<QTableWidgetSelectionRange> ranges = m_headerTable->selectedRanges();
    for (const QTableWidgetSelectionRange &range : ranges) {
        for (int row = range.topRow(); row <= range.bottomRow(); ++row)
            rows.append(row);
    }
    std::sort(rows.begin(), rows.end(), std::greater<int>());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    for (int row : std::as_const(rows))
        m_headerTable->removeRow(row);
    updateContentTypeHint();
}

void ConnectionDialog::addContentTypeHeader()
{
    addHeaderRow(QStringLiteral("Content-Type"), QStringLiteral("application/json"));
}

bool ConnectionDialog::hasHeader(const QString &name) const
{
    for (int row = 0; row < m_headerTable->rowCount(); ++row) {
        const QTableWidgetItem *item = m_headerTable->item(row, HeaderNameColumn);
        if (item && item->text().trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

void ConnectionDialog::updateUrlState()
{
    const QString text = m_urlEdit->text().trimmed();
    const bool valid = isValidUrl(text);
    // CR, LF or NUL in a header or the Last-Event-ID would inject lines into the request.
    const QString fieldError = Sse::requestFieldsError(options());
    m_fieldError->setText(fieldError.isEmpty()
                              ? QString()
                              : tr("Cannot be sent: %1. Remove the line break or NUL character.")
                                    .arg(fieldError));
    m_fieldError->setVisible(!fieldError.isEmpty());
    QString proxyError;
    Sse::Proxy proxy;
    const QString proxyText = m_proxyEdit->text().trimmed();
    const bool proxyValid = proxyText.isEmpty() || Sse::parseProxyUrl(proxyText, &proxy, &proxyError);
    m_proxyError->setText(proxyError);
    m_proxyError->setVisible(!proxyValid);
    m_buttonBox->button(QDialogButtonBox::Ok)->setEnabled(valid && fieldError.isEmpty()
                                                          && proxyValid);
    if (m_kindCombo && kind() == Kind::Proxy)
        updateProxyState(); // the proxy's fields decide
    if (Sse::CurlCommand::looksLikeCommand(text) && !m_curlError.isEmpty())
        m_urlHint->setText(tr("This looks like a curl command, but it cannot be used: %1")
                               .arg(m_curlError));
    else if (text.isEmpty())
        m_urlHint->setText(tr("Enter the URL of the stream, starting with http:// or https://."));
    else
        m_urlHint->setText(tr("Not a valid URL: it must start with http:// or https:// and "
                              "name a host."));
    // No complaint before the user has typed anything: the placeholder says what goes there.
    m_urlTouched = m_urlTouched || !text.isEmpty();
    m_urlHint->setVisible(!valid && m_urlTouched);
}

void ConnectionDialog::updateMethodState()
{
    const QString method = m_methodCombo->currentText().trimmed();
    const bool isGet = method.isEmpty() || method.compare(u"GET", Qt::CaseInsensitive) == 0;
    m_bodyEdit->setEnabled(!isGet);
    m_bodyNote->setVisible(isGet);
    updateContentTypeHint();
}

void ConnectionDialog::updatePolicyState()
{
    const Sse::ReconnectPolicy policy = currentPolicy();
    const bool reconnects = policy != Sse::ReconnectPolicy::Never;
    const bool backoff = policy == Sse::ReconnectPolicy::ExponentialBackoff;
    m_defaultRetrySpin->setEnabled(policy == Sse::ReconnectPolicy::ServerRetry || backoff);
    m_fixedDelaySpin->setEnabled(policy == Sse::ReconnectPolicy::Fixed);
    m_backoffMaximumSpin->setEnabled(backoff);
    m_jitterSpin->setEnabled(backoff);
    m_backoffResetSpin->setEnabled(backoff);
    m_maximumAttemptsSpin->setEnabled(reconnects);
    m_resendCheck->setEnabled(reconnects);
}

void ConnectionDialog::updateContentTypeHint()
{
    bool looksLikeJson = false;
    if (m_bodyEdit->isEnabled()) {
        const QString body = m_bodyEdit->toPlainText();
        for (QChar c : body) {
            if (!c.isSpace()) {
                looksLikeJson = c == u'{' || c == u'[';
                break;
            }
        }
    }
    m_contentTypeHint->setVisible(looksLikeJson && !hasHeader(QStringLiteral("Content-Type")));
}

void ConnectionDialog::updateCaState()
{
    const qsizetype count = m_caCertificatesPem.count(certificateMarker());
    if (m_caCertificatesPem.isEmpty())
        m_caStatus->setText(tr("None: only the system's trusted certificates"));
    else if (count == 1)
        m_caStatus->setText(tr("1 extra certificate"));
    else
        m_caStatus->setText(tr("%1 extra certificates").arg(count));
    m_caClearButton->setEnabled(!m_caCertificatesPem.isEmpty());
    if (m_proxyCaStatus) {
        m_proxyCaStatus->setText(m_caStatus->text());
        m_proxyCaClearButton->setEnabled(!m_caCertificatesPem.isEmpty());
        m_proxyCaError->hide();
    }
}

void ConnectionDialog::updateAcceptedCertificateState()
{
    m_acceptedCertificateRow->setVisible(!m_acceptedCertificatePem.isEmpty());
}

void ConnectionDialog::updateHintColours()
{
    // A red that reads on the current background: darker on light themes, lighter on dark.
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    QPalette hintPalette;
    hintPalette.setColor(QPalette::WindowText, QColor(dark ? 0xff8a80 : 0xc62828));
    for (QLabel *hint : {m_urlHint, m_insecureWarning, m_caError})
        hint->setPalette(hintPalette);
}

void ConnectionDialog::chooseCaFile()
{
    const QString fileName = QFileDialog::getOpenFileName(
            this, tr("Choose CA Certificates"), QString(),
            tr("PEM certificates (*.pem *.crt *.cer);;All files (*)"));
    if (!fileName.isEmpty())
        loadCaCertificates(fileName);
}

Sse::ReconnectPolicy ConnectionDialog::currentPolicy() const
{
    return Sse::ReconnectPolicy(m_policyCombo->currentData().toInt());
}
