package com.ecomcrm.api.install;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** What the server writes into its own HTML pages can neither break out of an attribute nor out of a script. */
class HtmlTextTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NASTY = "\"'<>&`\u2028\u2029\n\r\t\\/</script><script>alert(1)</script>${x}";

    @Test
    void attributeTextHasNoQuoteNoAngleBracketAndNoBareAmpersand() {
        assertThat(HtmlText.escape("a\"b'c<d>e&f")).isEqualTo("a&quot;b&#39;c&lt;d&gt;e&amp;f");
    }

    @Test
    void randomTextNeverLeavesTheAttributeOrTheScriptAndReadsBackTheSame() throws Exception {
        Random random = new Random(20261129);
        for (int round = 0; round < 5_000; round++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(24);
            for (int i = 0; i < length; i++) {
                text.append(random.nextInt(4) == 0 ? NASTY.charAt(random.nextInt(NASTY.length()))
                        : (char) random.nextInt(0x3000));
            }
            String original = text.toString();
            String attribute = HtmlText.escape(original);
            assertThat(attribute).doesNotContain("\"", "'", "<", ">");
            assertThat(attribute.replaceAll("&(amp|lt|gt|quot|#39);", "")).doesNotContain("&");
            String script = HtmlText.scriptString(original);
            assertThat(script).doesNotContain("<", ">", "\u2028", "\u2029");
            assertThat(script.toLowerCase()).doesNotContain("</script");
            // A JSON parser (as strict as a JavaScript one for string literals) reads back exactly the original.
            assertThat(JSON.readValue(script, String.class)).isEqualTo(original);
        }
    }
}
