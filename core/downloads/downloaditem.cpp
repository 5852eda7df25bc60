// SPDX-License-Identifier: MIT
#include "core/downloads/downloaditem.h"

namespace banata {

QString DownloadItem::localPath() const
{
    if (folder.endsWith(u'/'))
        return folder + fileName;
    return folder + u'/' + fileName;
}

} // namespace banata
