// SPDX-License-Identifier: MIT
#include "session/secretstore.h"

#include <QMetaObject>

namespace banata {

// Every answer is queued, as a real keychain's would be: callers may connect after calling.

void MemorySecretStore::read(const QString &account)
{
    const auto it = m_secrets.constFind(account);
    const bool found = it != m_secrets.cend();
    const QString secret = found ? *it : QString();
    const QString error = found ? QString() : tr("No key is stored for this connection");
    QMetaObject::invokeMethod(this, [this, account, secret, error] { Q_EMIT readFinished(account, secret, error); },
                              Qt::QueuedConnection);
}

void MemorySecretStore::write(const QString &account, const QString &secret)
{
    m_secrets.insert(account, secret);
    QMetaObject::invokeMethod(this, [this, account] { Q_EMIT writeFinished(account, QString()); }, Qt::QueuedConnection);
}

void MemorySecretStore::remove(const QString &account)
{
    m_secrets.remove(account);
    QMetaObject::invokeMethod(this, [this, account] { Q_EMIT removeFinished(account, QString()); }, Qt::QueuedConnection);
}

} // namespace banata
