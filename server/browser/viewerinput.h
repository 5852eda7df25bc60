// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>
#include <QString>

#include "core/expected.h"
#include "core/json.h"

namespace banata::server {

/// One CDP input command (`Input.dispatchMouseEvent`, `Input.dispatchKeyEvent`,
/// `Input.insertText`) asked for by a message of the viewer page.
struct ViewerInput
{
    QString method;
    Json params;
};

/// Turns one text message of the viewer page into the CDP command it asks for. Kept apart from
/// ViewerSession so that it can be tested and fuzzed without a browser: the page is a browser
/// tab anyone with a viewer URL may script, so every message is hostile until read.
///
/// Accepted (JSON objects): `{"type":"mouse","event":"move|down|up|wheel","x","y","button",
/// "buttons","clickCount","deltaX","deltaY","modifiers"}`, `{"type":"key","event":"down|up","key",
/// "code","text","keyCode","modifiers"}`, `{"type":"text","text"}` (at most 64 KiB). Anything
/// else is an error naming the reason; the session drops such a message.
banata::Expected<ViewerInput, QString> parseViewerInput(QByteArrayView utf8);

} // namespace banata::server
