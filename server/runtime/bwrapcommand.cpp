// SPDX-License-Identifier: MIT
#include "bwrapcommand.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

#include "server/runtime/protocol.h"

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {

// Read-only parts of /etc a userland needs. Never /etc as a whole: with a root server, sandbox
// processes are host uid 0 (without capabilities) and would read shadow, ssh host keys and
// /etc/ssl/private. "libreoffice" is LibreOffice's configuration registry (Debian links
// /usr/lib/libreoffice/share/registry there): document conversion runs soffice inside.
const QStringList &etcEntries()
{
    static const QStringList entries = {
        u"alternatives"_s,   u"bash.bashrc"_s,      u"ca-certificates"_s, u"ca-certificates.conf"_s,
        u"debian_version"_s, u"environment"_s,      u"fonts"_s,           u"gai.conf"_s,
        u"host.conf"_s,      u"hosts"_s,            u"inputrc"_s,         u"ld.so.cache"_s,
        u"ld.so.conf"_s,     u"ld.so.conf.d"_s,     u"libreoffice"_s,     u"locale.alias"_s,
        u"localtime"_s,      u"lsb-release"_s,      u"magic"_s,           u"magic.mime"_s,
        u"mailcap"_s,        u"mime.types"_s,       u"networks"_s,        u"nsswitch.conf"_s,
        u"os-release"_s,     u"papersize"_s,        u"perl"_s,            u"profile"_s,
        u"profile.d"_s,      u"protocols"_s,        u"resolv.conf"_s,     u"services"_s,
        u"ssh/ssh_config"_s, u"ssh/ssh_config.d"_s, u"ssl/certs"_s,       u"ssl/openssl.cnf"_s,
        u"terminfo"_s,       u"timezone"_s,         u"xdg"_s,
    };
    return entries;
}

bool isExecutableFile(const QString &path)
{
    const QFileInfo info(path);
    return info.isFile() && info.isExecutable();
}

bool writeTextFile(const QString &path, const QByteArray &content)
{
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly) && existing.readAll() == content)
        return true;
    QSaveFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size() && file.commit();
}

/// Paths baked in at compile time (the build tree, the source tree) are only for programs run
/// from that build tree (tests, benchmarks): an installed or unpacked banata-local must use the
/// helpers installed beside it, or fail visibly, never a developer's build that happens to exist.
bool runsFromBuildTree()
{
#ifdef BANATA_BUILD_DIR
    if (!QCoreApplication::instance())
        return true;
    const QString build = QFileInfo(QString::fromUtf8(BANATA_BUILD_DIR)).canonicalFilePath();
    const QString app = QFileInfo(QCoreApplication::applicationDirPath()).canonicalFilePath();
    return !build.isEmpty() && (app == build || app.startsWith(build + u'/'));
#else
    return false;
#endif
}

/// banata-handoff, the in-sandbox handoff command: BANATA_HANDOFF_TOOL, else installed under
/// lib/banata next to bin/, else the source tree (runs from the build tree); empty if none.
QString findHandoffTool()
{
    QStringList candidates;
    if (qEnvironmentVariableIsSet("BANATA_HANDOFF_TOOL"))
        candidates.append(qEnvironmentVariable("BANATA_HANDOFF_TOOL"));
    if (QCoreApplication::instance())
        candidates.append(QCoreApplication::applicationDirPath() + u"/../lib/banata/banata-handoff"_s);
#ifdef BANATA_SANDBOX_TOOLS_DIR
    if (runsFromBuildTree())
        candidates.append(QString::fromUtf8(BANATA_SANDBOX_TOOLS_DIR) + u"/banata-handoff"_s);
#endif
    candidates.append(u"/usr/lib/banata/banata-handoff"_s);
    for (const QString &path : std::as_const(candidates)) {
        if (isExecutableFile(path))
            return QFileInfo(path).absoluteFilePath();
    }
    return {};
}

} // namespace

QStringList bwrapArguments(const BwrapOptions &options)
{
    const QString inside = QString::fromLatin1(sandboxd::kInsidePath);
    const QString home = QString::fromLatin1(kSandboxHome);
    QStringList args = {
        u"--unshare-user"_s,
        u"--uid"_s,
        u"1000"_s,
        u"--gid"_s,
        u"1000"_s,
        u"--unshare-pid"_s,
        u"--unshare-ipc"_s,
        u"--unshare-uts"_s,
        u"--unshare-cgroup-try"_s,
        u"--hostname"_s,
        options.hostname,
        u"--cap-drop"_s,
        u"ALL"_s,
        u"--new-session"_s, // no controlling terminal: no TIOCSTI into the operator's terminal
        u"--ro-bind"_s,
        u"/usr"_s,
        u"/usr"_s,
    };
    // Merged-/usr hosts have symlinks here, older layouts real directories.
    for (const QString &top : {u"/bin"_s, u"/sbin"_s, u"/lib"_s, u"/lib32"_s, u"/lib64"_s, u"/libx32"_s}) {
        const QFileInfo info(top);
        if (info.isSymLink())
            args << u"--symlink"_s << info.symLinkTarget() << top;
        else if (info.isDir())
            args << u"--ro-bind"_s << top << top;
    }
    args << u"--proc"_s << u"/proc"_s << u"--dev"_s << u"/dev"_s << u"--dir"_s << u"/etc"_s;
    QStringList etc = etcEntries();
    const QStringList pythons = QDir(u"/etc"_s).entryList({u"python3*"_s}, QDir::Dirs | QDir::NoDotAndDotDot);
    etc.append(pythons);
    for (const QString &entry : std::as_const(etc))
        args << u"--ro-bind-try"_s << u"/etc/"_s + entry << u"/etc/"_s + entry;
    const QString root = options.rootDir;
    args << u"--ro-bind"_s << root + u"/run/etc/passwd"_s << u"/etc/passwd"_s << u"--ro-bind"_s
         << root + u"/run/etc/group"_s << u"/etc/group"_s << u"--bind"_s << root + u"/workspace"_s
         << u"/workspace"_s << u"--bind"_s << root + u"/home"_s << home << u"--bind"_s << root + u"/tmp"_s
         << u"/tmp"_s << u"--symlink"_s << u"../tmp"_s << u"/var/tmp"_s << u"--ro-bind"_s
         << options.sandboxdPath
         << inside;
    // Commands for processes inside (on PATH): /usr is the host's, so they live under /opt.
    if (const QString tool = findHandoffTool(); !tool.isEmpty())
        args << u"--ro-bind"_s << tool << u"/opt/banata/bin/banata-handoff"_s;
    args // The generated root itself is read-only too; only the binds above are writable.
         << u"--remount-ro"_s << u"/"_s << u"--chdir"_s << u"/workspace"_s << u"--info-fd"_s
         << QString::number(options.infoFd) << u"--"_s << inside << u"--control-fd"_s
         << QString::number(options.controlFd);
    if (options.cgroupFd >= 0)
        args << u"--cgroup-fd"_s << QString::number(options.cgroupFd);
    return args;
}

QStringList sandboxEnvironment(const QMap<QString, QString> &env)
{
    QMap<QString, QString> all = {
        {u"PATH"_s, u"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/banata/bin"_s},
        {u"HOME"_s, QString::fromLatin1(kSandboxHome)},
        {u"USER"_s, u"user"_s},
        {u"LOGNAME"_s, u"user"_s},
        {u"LANG"_s, u"C.UTF-8"_s},
        {u"SHELL"_s, QFileInfo::exists(u"/bin/bash"_s) ? u"/bin/bash"_s : u"/bin/sh"_s},
    };
    for (auto it = env.cbegin(); it != env.cend(); ++it)
        all.insert(it.key(), it.value());
    QStringList out;
    for (auto it = all.cbegin(); it != all.cend(); ++it) {
        if (!it.key().isEmpty() && !it.key().contains(u'='))
            out.append(it.key() + u'=' + it.value());
    }
    return out;
}

std::optional<QString> prepareRootDir(const QString &rootDir)
{
    QDir root(rootDir);
    for (const QString &sub : {u"workspace"_s, u"home"_s, u"tmp"_s, u"run/etc"_s}) {
        if (!root.mkpath(sub))
            return u"cannot create "_s + root.filePath(sub);
    }
    // run/ holds the control socket: only the server's user may reach it.
    if (!QFile::setPermissions(root.filePath(u"run"_s),
                               QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner))
        return u"cannot restrict "_s + root.filePath(u"run"_s);
    const QByteArray shell = QFileInfo::exists(u"/bin/bash"_s) ? "/bin/bash" : "/bin/sh";
    const QByteArray passwd = "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                              "user:x:1000:1000:user:/home/user:" +
                              shell +
                              "\n"
                              "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
    const QByteArray group = "root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n";
    if (!writeTextFile(root.filePath(u"run/etc/passwd"_s), passwd) ||
        !writeTextFile(root.filePath(u"run/etc/group"_s), group))
        return u"cannot write "_s + root.filePath(u"run/etc"_s);
    return std::nullopt;
}

QString findSandboxd()
{
    QStringList candidates;
    if (qEnvironmentVariableIsSet("BANATA_SANDBOXD"))
        candidates.append(qEnvironmentVariable("BANATA_SANDBOXD"));
    if (QCoreApplication::instance()) {
        // Installed: <prefix>/bin/banata-local and <prefix>/lib/banata/banata-sandboxd.
        const QString appDir = QCoreApplication::applicationDirPath();
        candidates << appDir + u"/../lib/banata/banata-sandboxd"_s << appDir + u"/banata-sandboxd"_s;
    }
#ifdef BANATA_SANDBOXD_BUILD_PATH
    if (runsFromBuildTree())
        candidates.append(QString::fromUtf8(BANATA_SANDBOXD_BUILD_PATH));
#endif
    candidates.append(u"/usr/lib/banata/banata-sandboxd"_s);
    for (const QString &path : std::as_const(candidates)) {
        if (isExecutableFile(path))
            return QFileInfo(path).absoluteFilePath();
    }
    return {};
}

QString findBwrap()
{
    if (qEnvironmentVariableIsSet("BANATA_BWRAP"))
        return qEnvironmentVariable("BANATA_BWRAP");
    return QStandardPaths::findExecutable(u"bwrap"_s);
}

} // namespace banata::server
