// Application: the startup sequence and its exit codes.
#include "app/Application.hpp"

#include "app/CommandLine.hpp"
#include "app/Preflight.hpp"
#include "app/Server.hpp"
#include "build-config.h"
#include "capture/DamageSource.hpp"
#include "capture/PlayoutDelayExtension.hpp"
#include "log/GstLogBridge.hpp"
#include "log/LogWriter.hpp"
#include "log/Logger.hpp"

#include <X11/Xlib.h>
#include <gst/gst.h>

#include <cstdio>
#include <malloc.h>
#include <exception>

namespace vmrtc {

namespace {

const Logger logger{"config"};

void logProblem(const Problem &p)
{
    logger.fatal(p.message, {{"code", p.code},
                             {"hint", p.hint},
                             {"exit", std::to_string(toInt(p.exit))}});
}

} // namespace

int Application::main(int argc, char **argv)
{
    try {
        return run(argc, argv);
    } catch (const std::exception &e) {
        Logger{"server"}.fatal(
            "internal error",
            {{"code", "INTERNAL_ERROR"}, {"detail", e.what()}, {"exit", "70"}});
    }
    return toInt(ExitCode::Internal);
}

int Application::run(int argc, char **argv)
{
    // Every viewer brings threads of its own (ICE, RTCP, DTLS); with one
    // malloc arena per thread, memory freed when a viewer leaves stays
    // scattered over arenas and the resident size climbs by ~10 MB per
    // viewer that came and went (docs/performance.md). Two arenas keep it
    // flat at no measured CPU cost.
    mallopt(M_ARENA_MAX, 2);
    // glibc raises its mmap threshold to the largest block freed so far, so
    // frame-sized buffers (megabytes) soon come from the heap, whose freed
    // pages stay resident: some 20 MB more after a few hundred viewers. A
    // fixed threshold maps them and gives them back when freed.
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    XInitThreads();
    LogWriter::install();

    Problem usage;
    std::optional<CommandLine> cli = CommandLine::parse(argc, argv, &usage);
    if (!cli) {
        logProblem(usage);
        return toInt(usage.exit);
    }
    if (cli->version) {
        std::printf("vm-webrtc-server %s\n", VMRTC_VERSION);
        return toInt(ExitCode::Ok);
    }
    LogWriter::configure(cli->logFormat, cli->logLevel);

    gst_init(nullptr, nullptr);
    GstLogBridge::install();
    registerDamageSource();
    registerPlayoutDelayExtension();

    Preflight preflight(*cli, Preflight::processEnvironment());
    preflight.run();
    if (cli->check) {
        preflight.printReport();
        return toInt(exitCodeFor(preflight.problems()));
    }

    preflight.logNotes();
    for (const Problem &p : preflight.problems())
        logProblem(p);
    if (!preflight.problems().empty())
        return toInt(exitCodeFor(preflight.problems()));

    logger.info("settings", preflight.loaded().settings.summary());
    Server::Options options;
    options.pipelineDescription = preflight.pipelineDescription();
    options.loopback = cli->loopback;
    options.bind = cli->bind;
    options.port = cli->port;
    int status = 0;
    {
        Server server(preflight.config(), std::move(options));
        status = server.run();
    }
    // Lets leak checkers (GST_TRACERS=leaks, sanitizers) see a clean end.
    gst_deinit();
    return status;
}

} // namespace vmrtc
