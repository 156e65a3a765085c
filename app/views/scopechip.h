#pragma once

#include <QToolButton>

/// The event log's connection filter chip: "Only NAMES · N hidden  ✕". The names are cut
/// (ending in "…") to the room the chip gets, so that a long connection name never widens
/// the pane; the rest of the text is always shown whole. Its size hint is the whole text.
class ScopeChip : public QToolButton
{
    Q_OBJECT
public:
    explicit ScopeChip(QWidget *parent = nullptr);

    /// \a before + names + \a after is the whole text; only \a names is ever cut.
    void setParts(const QString &before, const QString &names, const QString &after);
    QString fullText() const { return m_before + m_names + m_after; }
    bool isElided() const { return text() != fullText(); }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    // The chip's width for \a text: the text plus what the style adds around it.
    int widthFor(const QString &text) const;
    void updateText();

    QString m_before;
    QString m_names;
    QString m_after;
};
