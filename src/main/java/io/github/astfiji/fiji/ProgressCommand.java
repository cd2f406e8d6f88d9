package io.github.astfiji.fiji;

import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;

import java.util.concurrent.CancellationException;

/**
 * Base of the SciJava commands: runs the work with ImageJ progress, turns a user's
 * cancel or a failure into a cancelled module with a reason (what Fiji shows and what
 * scripts read from getCancelReason()), and never throws into the caller.
 */
abstract class ProgressCommand extends ContextCommand {

    @Parameter(required = false)
    protected LogService log;

    /** The command's name in messages, e.g. "Train AST". */
    protected abstract String title();

    /** The work; a short summary for the status bar. */
    protected abstract String work(FijiProgress progress) throws Exception;

    @Override
    public final void run() {
        FijiProgress progress = new FijiProgress(this::isCanceled);
        try {
            EngineSettings.apply();
            String done = work(progress);
            progress.done(title() + ": " + done);
        } catch (CancellationException e) {
            progress.done(title() + ": cancelled");
            cancel(title() + " was cancelled; nothing was written.");
        } catch (Exception e) {
            progress.done(title() + ": failed");
            cancel(title() + ": " + FijiWording.translate(e.getMessage() == null ? e.toString() : e.getMessage()));
            if (log != null) {
                log.error(getCancelReason());
            }
        }
    }
}
