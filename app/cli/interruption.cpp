#include "interruption.h"

#include <QObject>
#include <QSocketNotifier>

#include <csignal>
#include <unistd.h>

namespace {

int wakePipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t ignored = ::write(wakePipe[1], &byte, 1); // async-signal-safe
}

} // namespace

void callOnInterrupt(QObject *context, std::function<void()> handler)
{
    if (::pipe(wakePipe) != 0)
        return; // no clean exit then: the default action ends the process
    auto *notifier = new QSocketNotifier(wakePipe[0], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, std::move(handler));
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
}
