package io.github.astfiji.cli;

import io.github.astfiji.core.registry.Methods;

import java.util.Iterator;

/** The registered methods' identities, for picocli's help and completion. */
final class MethodIds implements Iterable<String> {

    @Override
    public Iterator<String> iterator() {
        return Methods.ids().iterator();
    }
}
