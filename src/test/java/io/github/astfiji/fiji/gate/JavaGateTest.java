package io.github.astfiji.fiji.gate;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The menu's gate speaks to an old Java in words, and is itself loadable by Java 8. */
class JavaGateTest {

    @Test
    void oldJavasAreToldWhatToDo() {
        for (String old : new String[] {"1.8", "11", "16"}) {
            String m = JavaGate.problem(old);
            assertTrue(m != null && m.contains("Java 17 or newer") && m.contains("fiji.sc"), old + ": " + m);
        }
        assertTrue(JavaGate.problem("1.8").contains("Java 8"));
        assertNull(JavaGate.problem("17"));
        assertNull(JavaGate.problem("21"));
        assertNull(JavaGate.problem(System.getProperty("java.specification.version")));
    }

    @Test
    void theGateIsJava8Bytecode() throws IOException {
        try (InputStream in = JavaGate.class.getResourceAsStream("JavaGate.class");
             DataInputStream d = new DataInputStream(in)) {
            assertEquals(0xCAFEBABE, d.readInt());
            d.readUnsignedShort(); // minor
            assertEquals(52, d.readUnsignedShort(), "class file major version 52 = Java 8");
        }
    }
}
