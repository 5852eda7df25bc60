// SPDX-License-Identifier: MIT
#pragma once

#include <deque>

#include <QtGlobal>

namespace banata {

/**
 * The speed of one transfer, smoothed over the last few seconds so the figure people read does
 * not jump with every network chunk, and falling towards 0 when the bytes stop.
 *
 * Usage: rate.add(clock.elapsed(), received) on every progress; rate.bytesPerSecond(now) to show.
 */
class TransferRate final
{
public:
    explicit TransferRate(qint64 windowMs = 3000);

    /// Forgets the history (after a pause or a restart from zero).
    void reset();
    /// \a bytes is the running total at \a nowMs (any monotonic clock in milliseconds).
    void add(qint64 nowMs, qint64 bytes);
    /// Bytes per second over the window ending at \a nowMs; 0 until there is a span to measure.
    double bytesPerSecond(qint64 nowMs) const;
    /// Milliseconds until \a remainingBytes are in at the current rate; -1 when unknown.
    qint64 remainingMs(qint64 nowMs, qint64 remainingBytes) const;

private:
    struct Sample
    {
        qint64 atMs = 0;
        qint64 bytes = 0;
    };

    qint64 m_windowMs;
    std::deque<Sample> m_samples; // one per 100 ms at most, oldest first
    qint64 m_latestBytes = 0;
};

} // namespace banata
