#pragma once

#include "session/proxysettings.h"

#include "sselib/sseclient.h"

#include <QDialog>
#include <QString>

QT_BEGIN_NAMESPACE
class QUrl;
class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTableWidgetItem;
class QTabWidget;
class QWidget;
QT_END_NAMESPACE

// Creates or edits one connection: a name and the Sse::ClientOptions of the request.
//
// setConnection() followed by options() gives back the same options, with one deliberate
// exception: the body of a GET request is dropped, because the body field is disabled for GET
// and must not be sent unseen. Fields shown in coarser units (seconds, MiB, whole percent) keep
// the exact loaded value until the user changes them. acceptedCertificatePem has no editor; it
// is kept as loaded, or removed with the "Forget" button.
//
// Header values that look secret (Authorization, Cookie, API keys, tokens) are shown masked;
// each such row has a "show" toggle. options() always returns the real values.
class ConnectionDialog : public QDialog
{
    Q_OBJECT

public:
    enum class Preset {
        OpenAiChat,
        AnthropicMessages,
        WikimediaRecentChanges,
        OpenAiResponses,
        GeminiStream,
    };
    Q_ENUM(Preset)

    enum HeaderColumn { HeaderNameColumn, HeaderValueColumn, HeaderShowColumn };
    Q_ENUM(HeaderColumn)

    /// A stream the monitor connects to, or a proxy an application connects through.
    enum class Kind { Stream, Proxy };
    Q_ENUM(Kind)

    explicit ConnectionDialog(QWidget *parent = nullptr);
    ~ConnectionDialog() override;

    /// Text of the accept button ("Connect" unless set, e.g. "Save" when editing).
    void setAcceptText(const QString &text);
    void setConnection(const QString &name, const Sse::ClientOptions &options);
    // The name as typed, or defaultName() of the URL when the name field is empty.
    QString name() const;
    bool hasTypedName() const;
    // Host and path of `url`, without a trailing slash: "127.0.0.1/quotes".
    static QString defaultName(const QUrl &url);
    Sse::ClientOptions options() const;

    Kind kind() const;
    void setKind(Kind kind);
    /// Loads a proxy connection (and switches to Kind::Proxy).
    void setProxy(const QString &name, const ProxySettings &settings);
    ProxySettings proxySettings() const;
    /// Editing an existing connection keeps its kind.
    void setKindEditable(bool editable);

    // Shows the Headers tab with the value of header \a headerName (case-insensitive) being
    // edited, e.g. a secret the keychain could not supply. False when there is no such row.
    bool focusHeaderValue(const QString &headerName);
    // Shows where the secret \a name (a header name or Sse::UrlSecret, ProxyPasswordSecret,
    // KeyPassphraseSecret) is entered, with the focus in it: for the stream URL, the mask that
    // stands for its credentials is selected. False when the form has no place for it.
    bool focusSecret(const QByteArray &name);

    // Fills the whole form with a preset (other options at their defaults).
    void applyPreset(Preset preset);
    static QString presetName(Preset preset);
    static Sse::ClientOptions presetOptions(Preset preset);

    // Reads a PEM file into the CA certificates. Returns false, leaving them as they were and
    // showing why, when the file cannot be read or holds no certificate.
    bool loadCaCertificates(const QString &fileName);

    // Fills the form from a pasted curl command ("Copy as cURL"); options it does not name keep
    // their defaults. False, leaving the form as it was, with \a error saying why.
    bool applyCurlCommand(const QString &command, QString *error);

    // Sse::isSecretHeader() of the trimmed name: the one rule for which headers are secret.
    static bool isSecretHeader(const QString &name);
    // http or https with a host.
    static bool isValidUrl(const QString &text);

protected:
    void changeEvent(QEvent *event) override;

private:
    QWidget *createHeadersPage();
    QWidget *createBodyPage();
    QWidget *createReconnectPage();
    QWidget *createLimitsPage();
    QWidget *createNetworkPage();
    QWidget *createProxyPage();
    void updateKindState();
    void updateProxyState();
    void chooseFile(QLineEdit *edit, const QString &title, const QString &filter);
    void askForCurlCommand();
    void onUrlEdited(const QString &text);
    void setUpTabOrder();

    void addHeaderRow(const QString &name, const QString &value);
    void refreshHeaderRow(int row);
    void onHeaderItemChanged(QTableWidgetItem *item);
    void removeSelectedHeaders();
    void addContentTypeHeader();
    bool hasHeader(const QString &name) const;

    void updateUrlState();
    void updateMethodState();
    void updatePolicyState();
    void updateContentTypeHint();
    void updateCaState();
    void updateAcceptedCertificateState();
    void updateHintColours();
    void chooseCaFile();

    Sse::ReconnectPolicy currentPolicy() const;

    // What setConnection() loaded, and what the unit-converting spin boxes showed right after,
    // so that options() can return the exact value of a field the user left alone.
    Sse::ClientOptions m_loaded;
    struct ShownValues
    {
        double connectTimeout = 0;
        double idleTimeout = 0;
        double maximumEventSize = 0;
        double jitter = 0;
        double backoffReset = 0;
        QString url;
        QString body;
    } m_shown;
    QByteArray m_caCertificatesPem;
    QByteArray m_acceptedCertificatePem;
    bool m_updatingHeaders = false;
    QString m_previousUrlText; // the URL field before the last edit
    QString m_curlError; // why the curl command in the URL field could not be used

    QLineEdit *m_nameEdit = nullptr;
    QComboBox *m_methodCombo = nullptr;
    QLineEdit *m_urlEdit = nullptr;
    bool m_urlTouched = false; // the URL field has held text (hint only after that)
    QLabel *m_urlHint = nullptr;
    QLabel *m_fieldError = nullptr;
    QComboBox *m_overflowCombo = nullptr;
    QCheckBox *m_forwardCredentialsCheck = nullptr;
    QTabWidget *m_tabs = nullptr;

    QTableWidget *m_headerTable = nullptr;
    QPushButton *m_addHeaderButton = nullptr;
    QPushButton *m_removeHeaderButton = nullptr;

    QPlainTextEdit *m_bodyEdit = nullptr;
    QLabel *m_bodyNote = nullptr;
    QWidget *m_contentTypeHint = nullptr;
    QPushButton *m_contentTypeButton = nullptr;

    QComboBox *m_policyCombo = nullptr;
    QSpinBox *m_defaultRetrySpin = nullptr;
    QSpinBox *m_fixedDelaySpin = nullptr;
    QSpinBox *m_backoffMaximumSpin = nullptr;
    QDoubleSpinBox *m_jitterSpin = nullptr;
    QDoubleSpinBox *m_backoffResetSpin = nullptr;
    QSpinBox *m_maximumAttemptsSpin = nullptr;
    QCheckBox *m_resendCheck = nullptr;
    QLineEdit *m_lastEventIdEdit = nullptr;

    QDoubleSpinBox *m_connectTimeoutSpin = nullptr;
    QDoubleSpinBox *m_idleTimeoutSpin = nullptr;
    QDoubleSpinBox *m_maximumEventSizeSpin = nullptr;
    QCheckBox *m_insecureCheck = nullptr;
    QCheckBox *m_http1OnlyCheck = nullptr;
    QLabel *m_insecureWarning = nullptr;
    QPushButton *m_caChooseButton = nullptr;
    QPushButton *m_caClearButton = nullptr;
    QLabel *m_caStatus = nullptr;
    QLabel *m_caError = nullptr;
    QWidget *m_acceptedCertificateRow = nullptr;
    QPushButton *m_forgetCertificateButton = nullptr;

    QLineEdit *m_proxyEdit = nullptr;
    QLineEdit *m_proxyPasswordEdit = nullptr;
    QLineEdit *m_noProxyEdit = nullptr;
    QLabel *m_proxyError = nullptr;
    QLineEdit *m_certificateEdit = nullptr;
    QComboBox *m_certificateTypeCombo = nullptr;
    QLineEdit *m_keyEdit = nullptr;
    QLineEdit *m_passphraseEdit = nullptr;
    QPushButton *m_certificateButton = nullptr;
    QPushButton *m_keyButton = nullptr;
    QCheckBox *m_ndjsonCheck = nullptr;
    QPushButton *m_curlButton = nullptr;

    QComboBox *m_kindCombo = nullptr;
    QWidget *m_urlRow = nullptr;
    QLabel *m_urlLabel = nullptr;
    QWidget *m_proxyPage = nullptr;
    QLineEdit *m_listenAddressEdit = nullptr;
    QSpinBox *m_listenPortSpin = nullptr;
    QCheckBox *m_allowRemoteCheck = nullptr;
    QLabel *m_listenHint = nullptr;
    QLineEdit *m_upstreamEdit = nullptr;
    QLabel *m_upstreamHint = nullptr;
    QLabel *m_proxyCaStatus = nullptr;
    QPushButton *m_proxyCaClearButton = nullptr;
    QLabel *m_proxyCaError = nullptr;
    QCheckBox *m_proxyInsecureCheck = nullptr;
    QCheckBox *m_llmCheck = nullptr;
    QLabel *m_baseUrlHint = nullptr;

    QPushButton *m_presetsButton = nullptr;
    QDialogButtonBox *m_buttonBox = nullptr;
};
