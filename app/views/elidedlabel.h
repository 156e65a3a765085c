#pragma once

#include <QLabel>

/// A one-line plain-text label that shows as much of its text as fits, ending in "…", and
/// has the whole text as its tool tip while it is cut. Its minimum width is a few
/// characters, so a long text never widens the layout it sits in; its size hint is the whole
/// text, so it is shown whole where there is room.
class ElidedLabel : public QLabel
{
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    QString fullText() const { return m_fullText; }
    void setFullText(const QString &text);
    /// Whether the text on screen is cut.
    bool isElided() const { return text() != m_fullText; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateElided();

    QString m_fullText;
};
