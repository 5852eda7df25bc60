// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QWidget>

#include "session/filessession.h"

class QVBoxLayout;

namespace banata {

/**
 * The uploads of the Files tab ("uploadsStrip"), under the tree: one row per running upload with
 * its name, target folder, a progress bar and a cancel button; a finished upload leaves its row
 * after a moment, a failed one stays with its reason until dismissed. Hidden when empty.
 */
class UploadsStrip final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UploadsStrip)

public:
    explicit UploadsStrip(QWidget *parent = nullptr);

    /// Shows the latest state of \a upload (adds its row on first sight).
    void updateUpload(const UploadItem &upload);
    /// Starts over with \a uploads (a different sandbox): only running and failed ones are shown.
    void reset(const QList<UploadItem> &uploads);
    /// Rows shown now.
    int rowCount() const { return int(m_rows.size()); }

Q_SIGNALS:
    void cancelRequested(int id);

private:
    struct Row;
    void removeRow(int id);

    QVBoxLayout *m_layout;
    QHash<int, Row *> m_rows;
};

} // namespace banata
