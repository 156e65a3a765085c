#pragma once

#include <QFrame>

QT_BEGIN_NAMESPACE
class QLabel;
class QToolButton;
QT_END_NAMESPACE

/// A bar above the content with one plain-language notice, a "Details" button that unfolds
/// the technical text below it and a "Dismiss" button. It stays until dismissed; a later
/// notice replaces the shown one.
class NoticeBar : public QFrame
{
    Q_OBJECT
public:
    explicit NoticeBar(QWidget *parent = nullptr);

    void showNotice(const QString &text, const QString &details);
    QString text() const;
    QString details() const;
    bool detailsShown() const;

public Q_SLOTS:
    void dismiss();

Q_SIGNALS:
    void dismissed();

private:
    void toggleDetails();

    QLabel *m_text = nullptr;
    QLabel *m_details = nullptr;
    QToolButton *m_detailsButton = nullptr;
};
