// SPDX-License-Identifier: MIT
#pragma once

#include "core/client/apijobs.h"
#include "core/preview.h"

namespace banata {

/// Every `/v1/sandboxes/preview…` route answering with the preview state: get, start, navigate,
/// resize.
class PreviewJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PreviewJob)
public:
    PreviewJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::PreviewState> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `GET /v1/sandboxes/preview/viewer?id=`: a short-lived URL of the viewer page.
class ViewerUrlJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ViewerUrlJob)
public:
    ViewerUrlJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::ViewerUrl> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

} // namespace banata
