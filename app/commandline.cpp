// SPDX-License-Identifier: MIT
#include "app/commandline.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>

using namespace Qt::StringLiterals;

namespace banata {

namespace {

QString translate(const char *text)
{
    return QCoreApplication::translate("CommandLine", text);
}

} // namespace

CommandLine parseCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        translate("Watch over Banata sandboxes: live list, needs-you inbox, lifecycle actions.\n"
                  "With no options it uses the saved connections and the local server (banata-local),\n"
                  "which it starts when none is running."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const QCommandLineOption connect(u"connect"_s,
                                     translate("Use only the Banata endpoint at <url>; the API key comes from "
                                               "--api-key-file or the BANATA_API_KEY environment variable."),
                                     u"url"_s);
    const QCommandLineOption keyFile(u"api-key-file"_s, translate("Read the API key for --connect from <file>."),
                                     u"file"_s);
    const QCommandLineOption settings(u"settings"_s, translate("Use the settings file <file>."), u"file"_s);
    const QCommandLineOption dataDir(u"data-dir"_s, translate("The local server's data folder <dir>."), u"dir"_s);
    const QCommandLineOption server(u"local-server"_s, translate("The banata-local executable to start."),
                                    u"path"_s);
    parser.addOptions({connect, keyFile, settings, dataDir, server});

    CommandLine result;
    if (!parser.parse(arguments)) {
        result = {{}, true, 2, parser.errorText() + u'\n' + parser.helpText()};
        return result;
    }
    if (parser.isSet(help)) {
        result = {{}, true, 0, parser.helpText()};
        return result;
    }
    if (parser.isSet(version)) {
        result = {{}, true, 0, QCoreApplication::applicationName() + u' ' + QCoreApplication::applicationVersion()};
        return result;
    }
    if (!parser.positionalArguments().isEmpty()) {
        result = {{}, true, 2, translate("Unexpected argument: %1").arg(parser.positionalArguments().constFirst())};
        return result;
    }

    AppOptions &options = result.options;
    options.settingsFile = parser.value(settings);
    options.localDataDir = parser.value(dataDir);
    options.localServerBinary = parser.value(server);
    if (parser.isSet(connect)) {
        const QUrl url = QUrl::fromUserInput(parser.value(connect));
        if (!url.isValid() || (url.scheme() != u"http"_s && url.scheme() != u"https"_s)) {
            result = {{}, true, 2, translate("--connect needs an http or https URL, got “%1”").arg(parser.value(connect))};
            return result;
        }
        options.connectUrl = url;
        if (parser.isSet(keyFile)) {
            QFile file(parser.value(keyFile));
            if (!file.open(QIODevice::ReadOnly)) {
                result = {{}, true, 2,
                          translate("Cannot read the API key file %1: %2").arg(file.fileName(), file.errorString())};
                return result;
            }
            options.apiKey = QString::fromUtf8(file.read(4096).trimmed());
        } else {
            options.apiKey = qEnvironmentVariable("BANATA_API_KEY");
        }
        if (options.apiKey.isEmpty()) {
            result = {{}, true, 2, translate("--connect needs an API key: set BANATA_API_KEY or pass --api-key-file")};
            return result;
        }
    } else if (parser.isSet(keyFile)) {
        result = {{}, true, 2, translate("--api-key-file only makes sense with --connect")};
        return result;
    }
    return result;
}

} // namespace banata
