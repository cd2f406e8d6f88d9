package io.github.astfiji.fiji;

import org.scijava.plugin.Plugin;
import org.scijava.script.AdaptedScriptLanguage;
import org.scijava.script.ScriptLanguage;

/**
 * Groovy for SciJava's ScriptService in tests, through Groovy's JSR-223 engine (Fiji's
 * scripting-groovy plugin is not on Maven Central): scripts run with SciJava's own
 * parameter handling, as in Fiji's Script Editor.
 */
@Plugin(type = ScriptLanguage.class, name = "Groovy")
public class TestGroovyLanguage extends AdaptedScriptLanguage {

    public TestGroovyLanguage() {
        super("groovy");
    }
}
