// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

#include "session/filepreview.h"

class QBuffer;
class QLabel;
class QPdfDocument;
class QPdfView;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QToolButton;

namespace banata {

class CodeView;
class ImageView;

/**
 * The Files tab's preview (named "filePreview"): a header line with the file's name, size, time
 * and type over one page per FilePreview::Kind — text and JSON in a CodeView with line numbers
 * ("previewText"), images scaled to fit ("previewImage"), PDFs with Qt PDF ("previewPdf", every
 * page, scrolling), binary files as a hex dump of their head ("previewBinary"), "too large —
 * download" with a button ("previewTooLarge"), folders, errors and a quiet "Loading…". It only
 * draws what FilesSession decided; the one thing it asks for is a download.
 */
class FilePreviewPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FilePreviewPane)

public:
    explicit FilePreviewPane(QWidget *parent = nullptr);
    ~FilePreviewPane() override;

    void showPreview(const FilePreview &preview);
    /// Back to "Select a file…".
    void clear();

    /// What is shown; meaningless after clear() (hasPreview() false).
    const FilePreview &preview() const { return m_preview; }
    bool hasPreview() const { return m_hasPreview; }
    /// The page shown now (one of the named pages).
    QWidget *currentPage() const;
    CodeView *textView() const { return m_text; }
    ImageView *imageView() const { return m_image; }
    QPdfDocument *pdfDocument() const { return m_pdf; }
    /// Pages of the PDF shown (0 until it is loaded).
    int pdfPageCount() const;

Q_SIGNALS:
    /// The operator wants the previewed file on disk (the "too large" page's button).
    void downloadRequested();

private:
    void showPage(QWidget *page);
    void showText(const FilePreview &preview);
    void showImage(const FilePreview &preview);
    void showPdf(const FilePreview &preview);
    void showBinary(const FilePreview &preview);
    void showError(const QString &text);
    void updateHeader();
    void updatePdfStatus();

    FilePreview m_preview;
    bool m_hasPreview = false;
    QLabel *m_header;
    QLabel *m_note;
    QLabel *m_pageCount;
    QToolButton *m_actualSize;
    QStackedWidget *m_stack;
    QLabel *m_empty;
    QLabel *m_loading;
    CodeView *m_text;
    ImageView *m_image;
    QPdfView *m_pdfView;
    QPdfDocument *m_pdf;
    QBuffer *m_pdfBuffer;
    QWidget *m_binary;
    QLabel *m_binaryInfo;
    QPlainTextEdit *m_hexDump;
    QWidget *m_tooLarge;
    QLabel *m_tooLargeText;
    QPushButton *m_download;
    QLabel *m_folder;
    QLabel *m_error;
};

} // namespace banata
