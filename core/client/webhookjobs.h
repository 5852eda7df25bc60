// SPDX-License-Identifier: MIT
#pragma once

#include "core/client/apijobs.h"
#include "core/webhook.h"

namespace banata {

/// `POST /v1/webhooks`: the created webhook, the only answer carrying its signingSecret.
class WebhookJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookJob)
public:
    WebhookJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::Webhook> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `GET /v1/webhooks`: every webhook, oldest first, without secrets.
class WebhookListJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookListJob)
public:
    WebhookListJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<QList<banata::Webhook>> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `DELETE /v1/webhooks?id=`: `{"ok": true}`; the value is that `ok`.
class WebhookDeleteJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookDeleteJob)
public:
    WebhookDeleteJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<bool> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `GET /v1/webhooks/deliveries?id=`: the deliveries log of one webhook, newest first.
class WebhookDeliveryListJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookDeliveryListJob)
public:
    WebhookDeliveryListJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<QList<banata::WebhookDelivery>> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

} // namespace banata
