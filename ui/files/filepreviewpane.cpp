// SPDX-License-Identifier: MIT
#include "filepreviewpane.h"

#include <QBuffer>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QLoggingCategory>
#include <QPdfDocument>
#include <QPdfView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "models/modeltext.h"
#include "ui/files/codeview.h"
#include "ui/files/filetext.h"
#include "ui/files/imageview.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFilePreview, "banata.ui.files.preview")

namespace banata {

namespace {

QLabel *centredLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setMargin(12);
    return label;
}

} // namespace

FilePreviewPane::FilePreviewPane(QWidget *parent)
    : QWidget(parent)
    , m_header(new QLabel(this))
    , m_note(new QLabel(this))
    , m_pageCount(new QLabel(this))
    , m_actualSize(new QToolButton(this))
    , m_stack(new QStackedWidget(this))
    , m_empty(centredLabel(u"previewEmpty"_s, m_stack))
    , m_loading(centredLabel(u"previewLoading"_s, m_stack))
    , m_text(new CodeView(m_stack))
    , m_image(new ImageView(m_stack))
    , m_pdfView(new QPdfView(m_stack))
    , m_pdf(new QPdfDocument(this))
    , m_pdfBuffer(new QBuffer(this))
    , m_binary(new QWidget(m_stack))
    , m_binaryInfo(new QLabel(m_binary))
    , m_hexDump(new QPlainTextEdit(m_binary))
    , m_tooLarge(new QWidget(m_stack))
    , m_tooLargeText(centredLabel(u"previewTooLargeText"_s, m_tooLarge))
    , m_download(new QPushButton(tr("Download"), m_tooLarge))
    , m_folder(centredLabel(u"previewFolder"_s, m_stack))
    , m_error(centredLabel(u"previewError"_s, m_stack))
{
    setObjectName(u"filePreview"_s);
    m_header->setObjectName(u"previewHeader"_s);
    m_header->setTextFormat(Qt::PlainText);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A narrow pane wraps the line rather than hiding the type.
    m_header->setWordWrap(true);
    m_header->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_note->setObjectName(u"previewNote"_s);
    m_note->setWordWrap(true);
    m_note->setTextFormat(Qt::PlainText);
    m_note->hide();
    m_pageCount->setObjectName(u"previewPageCount"_s);
    m_pageCount->hide();
    m_actualSize->setObjectName(u"previewActualSizeButton"_s);
    m_actualSize->setText(tr("1:1"));
    m_actualSize->setToolTip(tr("Show the image at its actual size"));
    m_actualSize->setCheckable(true);
    m_actualSize->setAutoRaise(true);
    m_actualSize->hide();
    connect(m_actualSize, &QToolButton::toggled, m_image, &ImageView::setActualSize);
    connect(m_image, &ImageView::actualSizeChanged, m_actualSize, &QToolButton::setChecked);

    m_empty->setText(tr("Select a file to preview it."));
    m_empty->setEnabled(false);
    m_loading->setText(tr("Loading…"));
    m_loading->setEnabled(false);
    m_text->setObjectName(u"previewText"_s);
    m_image->setObjectName(u"previewImage"_s);
    m_pdfView->setObjectName(u"previewPdf"_s);
    m_pdfView->setPageMode(QPdfView::PageMode::MultiPage);
    m_pdfView->setZoomMode(QPdfView::ZoomMode::FitToWidth);
    m_pdfView->setDocument(m_pdf);
    connect(m_pdf, &QPdfDocument::statusChanged, this, &FilePreviewPane::updatePdfStatus);
    connect(m_pdf, &QPdfDocument::pageCountChanged, this, &FilePreviewPane::updatePdfStatus);

    m_binary->setObjectName(u"previewBinary"_s);
    m_binaryInfo->setObjectName(u"previewBinaryInfo"_s);
    m_binaryInfo->setTextFormat(Qt::PlainText);
    m_binaryInfo->setWordWrap(true);
    m_hexDump->setObjectName(u"previewHexDump"_s);
    m_hexDump->setReadOnly(true);
    m_hexDump->setUndoRedoEnabled(false);
    m_hexDump->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_hexDump->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto *binaryLayout = new QVBoxLayout(m_binary);
    binaryLayout->setContentsMargins(0, 0, 0, 0);
    binaryLayout->addWidget(m_binaryInfo);
    binaryLayout->addWidget(m_hexDump, 1);

    m_tooLarge->setObjectName(u"previewTooLarge"_s);
    m_download->setObjectName(u"previewDownloadButton"_s);
    connect(m_download, &QPushButton::clicked, this, &FilePreviewPane::downloadRequested);
    auto *tooLargeLayout = new QVBoxLayout(m_tooLarge);
    tooLargeLayout->addStretch();
    tooLargeLayout->addWidget(m_tooLargeText);
    tooLargeLayout->addWidget(m_download, 0, Qt::AlignCenter);
    tooLargeLayout->addStretch();

    m_folder->setEnabled(false);
    m_error->setStyleSheet(u"color: #c63333;"_s);

    for (QWidget *page :
         {static_cast<QWidget *>(m_empty), static_cast<QWidget *>(m_loading), static_cast<QWidget *>(m_text),
          static_cast<QWidget *>(m_image), static_cast<QWidget *>(m_pdfView), m_binary, m_tooLarge,
          static_cast<QWidget *>(m_folder), static_cast<QWidget *>(m_error)})
        m_stack->addWidget(page);

    auto *headerRow = new QHBoxLayout;
    headerRow->setContentsMargins(4, 0, 4, 0);
    headerRow->addWidget(m_header, 1);
    headerRow->addWidget(m_pageCount);
    headerRow->addWidget(m_actualSize);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(headerRow);
    layout->addWidget(m_note);
    layout->addWidget(m_stack, 1);
    clear();
}

FilePreviewPane::~FilePreviewPane()
{
    // The document reads from the buffer until it is closed.
    m_pdf->close();
}

void FilePreviewPane::clear()
{
    m_hasPreview = false;
    m_preview = {};
    m_pdf->close();
    m_pdfBuffer->close();
    m_pdfBuffer->setData(QByteArray());
    m_text->clear();
    m_image->setImage({});
    m_hexDump->clear();
    m_note->hide();
    updateHeader();
    showPage(m_empty);
}

void FilePreviewPane::showPreview(const FilePreview &preview)
{
    m_preview = preview;
    m_hasPreview = true;
    m_note->hide();
    // A large document or image must not stay in memory behind another page.
    if (preview.kind != FilePreview::Kind::Pdf) {
        m_pdf->close();
        m_pdfBuffer->close();
        m_pdfBuffer->setData(QByteArray());
    }
    if (preview.kind != FilePreview::Kind::Image)
        m_image->setImage({});
    if (preview.kind != FilePreview::Kind::Text && preview.kind != FilePreview::Kind::Json)
        m_text->clear();
    switch (preview.kind) {
    case FilePreview::Kind::Loading:
        showPage(m_loading);
        break;
    case FilePreview::Kind::Text:
    case FilePreview::Kind::Json:
        showText(preview);
        break;
    case FilePreview::Kind::Image:
        showImage(preview);
        break;
    case FilePreview::Kind::Pdf:
        showPdf(preview);
        break;
    case FilePreview::Kind::Binary:
        showBinary(preview);
        break;
    case FilePreview::Kind::TooLarge:
        m_tooLargeText->setText(
            tr("Too large to preview (%1, limit %2) — download it instead")
                .arg(modeltext::sizeText(preview.size), modeltext::sizeText(preview.limit)));
        showPage(m_tooLarge);
        break;
    case FilePreview::Kind::Folder:
        m_folder->setText(preview.size == 1 ? tr("Folder · 1 entry")
                                            : tr("Folder · %1 entries").arg(preview.size));
        showPage(m_folder);
        break;
    case FilePreview::Kind::Error:
        showError(preview.error.isEmpty() ? tr("The file could not be read.") : preview.error);
        break;
    }
    updateHeader();
}

QWidget *FilePreviewPane::currentPage() const
{
    return m_stack->currentWidget();
}

int FilePreviewPane::pdfPageCount() const
{
    return m_pdf->status() == QPdfDocument::Status::Ready ? m_pdf->pageCount() : 0;
}

void FilePreviewPane::showPage(QWidget *page)
{
    m_stack->setCurrentWidget(page);
    m_pageCount->setVisible(page == m_pdfView);
    m_actualSize->setVisible(page == m_image);
}

void FilePreviewPane::showText(const FilePreview &preview)
{
    // A file's final newline ends its last line; it does not start an empty one (as GitHub
    // shows files: a 40-line file has 40 numbers).
    QStringView text(preview.text);
    if (text.endsWith(u'\n'))
        text.chop(text.endsWith(u"\r\n") ? 2 : 1);
    m_text->setPlainText(text.toString());
    if (!preview.error.isEmpty()) {
        // Invalid JSON comes as text with the reason: shown as is, with the reason above.
        m_note->setText(preview.error);
        m_note->show();
    }
    showPage(m_text);
}

void FilePreviewPane::showImage(const FilePreview &preview)
{
    const QImage image = QImage::fromData(preview.bytes);
    if (image.isNull()) {
        qCDebug(lcFilePreview) << "undecodable image" << preview.path << preview.mimeType;
        showError(tr("This image could not be decoded (%1).").arg(preview.mimeType));
        return;
    }
    m_image->setActualSize(false);
    m_image->setImage(image);
    showPage(m_image);
}

void FilePreviewPane::showPdf(const FilePreview &preview)
{
    m_pdf->close();
    m_pdfBuffer->close();
    m_pdfBuffer->setData(preview.bytes);
    m_pdfBuffer->open(QIODevice::ReadOnly);
    m_pdf->load(m_pdfBuffer);
    showPage(m_pdfView);
    updatePdfStatus();
}

void FilePreviewPane::showBinary(const FilePreview &preview)
{
    const QString type = preview.mimeType.isEmpty() ? tr("unknown type") : preview.mimeType;
    m_binaryInfo->setText(tr("Binary file · %1 · %2").arg(modeltext::sizeText(preview.size), type));
    QString dump = filetext::hexDump(preview.bytes);
    if (preview.size > preview.bytes.size())
        dump += tr("… (the first %1 of %2)")
                    .arg(modeltext::sizeText(preview.bytes.size()), modeltext::sizeText(preview.size));
    m_hexDump->setPlainText(dump);
    showPage(m_binary);
}

void FilePreviewPane::showError(const QString &text)
{
    m_error->setText(text);
    showPage(m_error);
}

void FilePreviewPane::updatePdfStatus()
{
    if (m_stack->currentWidget() != m_pdfView)
        return;
    switch (m_pdf->status()) {
    case QPdfDocument::Status::Ready: {
        const int pages = m_pdf->pageCount();
        m_pageCount->setText(pages == 1 ? tr("1 page") : tr("%1 pages").arg(pages));
        break;
    }
    case QPdfDocument::Status::Error:
        qCDebug(lcFilePreview) << "PDF error" << int(m_pdf->error()) << m_preview.path;
        showError(tr("This PDF could not be opened (it may be damaged or protected by a password)."));
        break;
    default:
        m_pageCount->setText(tr("Loading…"));
        break;
    }
}

void FilePreviewPane::updateHeader()
{
    if (!m_hasPreview) {
        m_header->clear();
        m_header->setToolTip(QString());
        return;
    }
    QStringList parts = {filetext::fileName(m_preview.path)};
    if (m_preview.kind != FilePreview::Kind::Folder && m_preview.kind != FilePreview::Kind::Loading &&
        m_preview.kind != FilePreview::Kind::Error)
        parts << modeltext::sizeText(m_preview.size);
    if (m_preview.mtime > 0)
        parts << modeltext::dateTimeText(m_preview.mtime);
    if (!m_preview.mimeType.isEmpty())
        parts << m_preview.mimeType;
    m_header->setText(parts.join(u" · "_s));
    m_header->setToolTip(m_preview.path);
}

} // namespace banata
