// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "execjob.h"
#include "fd.h"

namespace banata::sandboxd {

/// The single-threaded poll loop of banata-sandboxd: one controller connection, many execs.
/// Protocol: server/runtime/protocol.h.
class Daemon
{
public:
    /// listenFd: the inherited, listening control socket. cgroup: the sandbox's freezable cgroup
    /// every command starts in (fds -1 without one).
    Daemon(int listenFd, CgroupTarget cgroup);
    int run();

private:
    void acceptConnection();
    void closeConnection();
    void readConnection();
    void flushConnection();
    void handleLine(const std::string &line);
    void handleRequest(const nlohmann::json &request);
    void reply(uint64_t generation, nlohmann::json message);
    void replyError(const nlohmann::json &id, const std::string &error);

    void startExec(const nlohmann::json &id, const nlohmann::json &request);
    void pause(const nlohmann::json &id, const nlohmann::json &request);
    void resume(const nlohmann::json &id, const nlohmann::json &request);
    void checkPause(bool final);

    void reapChildren();
    void expireDeadlines();
    int pollTimeout() const;

    UniqueFd m_listen;
    CgroupTarget m_cgroup;
    UniqueFd m_signalFd;
    UniqueFd m_devNull;
    UniqueFd m_conn;
    uint64_t m_generation = 0;
    std::string m_in;
    std::string m_out;
    std::vector<std::string> m_baseEnv;
    std::vector<std::unique_ptr<ExecJob>> m_jobs;
    // Pipes of finished commands still held open by background processes: read and discard
    // until EOF so writers never block or get SIGPIPE.
    std::vector<UniqueFd> m_drains;
    bool m_paused = false;

    struct PendingPause
    {
        nlohmann::json id;
        uint64_t generation = 0;
        int64_t giveUpAt = 0;
        int64_t nextCheckAt = 0;
    };
    std::optional<PendingPause> m_pendingPause;
};

} // namespace banata::sandboxd
