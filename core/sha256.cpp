// SPDX-License-Identifier: MIT
#include "sha256.h"

#include <openssl/evp.h>

namespace banata {

struct Sha256::Context
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256()
    : m_context(std::make_unique<Context>())
{
    if (!m_context->md || EVP_DigestInit_ex(m_context->md, EVP_sha256(), nullptr) != 1)
        qFatal("libcrypto cannot compute SHA-256");
}

Sha256::~Sha256() = default;

void Sha256::addData(QByteArrayView bytes)
{
    if (m_result.isEmpty() && !bytes.isEmpty())
        EVP_DigestUpdate(m_context->md, bytes.data(), std::size_t(bytes.size()));
}

QByteArray Sha256::result()
{
    if (m_result.isEmpty()) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        EVP_DigestFinal_ex(m_context->md, digest, &length);
        m_result = QByteArray(reinterpret_cast<const char *>(digest), qsizetype(length));
    }
    return m_result;
}

QString Sha256::hexResult()
{
    return QString::fromLatin1(result().toHex());
}

} // namespace banata
