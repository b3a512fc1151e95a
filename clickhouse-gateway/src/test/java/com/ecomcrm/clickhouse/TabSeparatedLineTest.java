package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TabSeparatedLineTest {

    @Test
    void splitsCellsAtTabsAndReadsBackslashNAsNull() {
        assertThat(TabSeparatedLine.cells("42\tCHAMPIONS\t\\N\t\t-3.5", 5))
                .containsExactly("42", "CHAMPIONS", null, "", "-3.5");
        assertThat(TabSeparatedLine.cells("\\N\tx\\ty\t\\N", 3)).containsExactly(null, "x\ty", null);
    }

    @Test
    void undoesClickHouseEscapesInsideACell() {
        assertThat(TabSeparatedLine.cells("a\\tb\\nc\\\\d\\'e\tx\\\\N", 2))
                .containsExactly("a\tb\nc\\d'e", "x\\N");
    }

    @Test
    void aRowOfEmptyCellsIsARow() {
        assertThat(TabSeparatedLine.cells("\t\t", 3)).containsExactly("", "", "");
    }

    @Test
    void aLineWithAnotherNumberOfCellsIsTheServersErrorText() {
        assertThatThrownBy(() -> TabSeparatedLine.cells("Code: 395, e.displayText() = DB::Exception: failed", 3))
                .isInstanceOf(DomainException.class)
                .hasMessage("ClickHouse failed while sending rows: Code: 395, e.displayText() = DB::Exception: failed");
        assertThatThrownBy(() -> TabSeparatedLine.cells("1\t2\t3\t4", 3)).isInstanceOf(DomainException.class);
    }
}
