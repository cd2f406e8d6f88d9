package io.github.astfiji.core.train;

/**
 * A training that produced no usable model: a phase diverged and did not recover, or the
 * finished model scores normal images absurdly. Nothing is written when it is thrown; the
 * command line exits with {@link #EXIT_CODE}, Fiji shows the message in an error dialog.
 */
public final class TrainingFailedException extends RuntimeException {

    /** The command line's exit code for a training that failed this way (1 is a user error, 2 a batch with bad files). */
    public static final int EXIT_CODE = 3;

    public TrainingFailedException(String message) {
        super(message);
    }
}
