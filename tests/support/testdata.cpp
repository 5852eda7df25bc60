// SPDX-License-Identifier: MIT
#include "testdata.h"

#include <QRandomGenerator>

namespace banata::test {

QByteArray randomBytes(qsizetype size)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator generator(42);
    generator.fillRange(reinterpret_cast<quint32 *>(data.data()), size / 4);
    return data;
}

} // namespace banata::test
