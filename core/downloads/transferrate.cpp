// SPDX-License-Identifier: MIT
#include "core/downloads/transferrate.h"

#include <cmath>

namespace banata {

namespace {
constexpr qint64 kSampleSpacingMs = 100; // bounds the history to window / 100 samples
}

TransferRate::TransferRate(qint64 windowMs)
    : m_windowMs(windowMs)
{}

void TransferRate::reset()
{
    m_samples.clear();
    m_latestBytes = 0;
}

void TransferRate::add(qint64 nowMs, qint64 bytes)
{
    m_latestBytes = bytes;
    if (m_samples.empty() || nowMs - m_samples.back().atMs >= kSampleSpacingMs)
        m_samples.push_back({nowMs, bytes});
    // Keep one sample at or before the window's start as the baseline.
    while (m_samples.size() >= 2 && m_samples[1].atMs <= nowMs - m_windowMs)
        m_samples.pop_front();
}

double TransferRate::bytesPerSecond(qint64 nowMs) const
{
    if (m_samples.empty() || nowMs - m_samples.back().atMs > m_windowMs)
        return 0; // nothing moved for a whole window
    const Sample &base = m_samples.front();
    const qint64 span = nowMs - base.atMs;
    if (span < kSampleSpacingMs)
        return 0;
    return double(m_latestBytes - base.bytes) * 1000.0 / double(span);
}

qint64 TransferRate::remainingMs(qint64 nowMs, qint64 remainingBytes) const
{
    const double rate = bytesPerSecond(nowMs);
    if (rate <= 0 || remainingBytes < 0)
        return -1;
    return qint64(std::ceil(double(remainingBytes) * 1000.0 / rate));
}

} // namespace banata
