#pragma once

// Helpers shared by the toolkit tests.

#include "support/testdatabase.h"

#include <QTest>

// The value of a Result, or a fatal failure with the error (the test cannot go on).
#define REQUIRE_OK(expr)                                                                           \
    [&]() {                                                                                        \
        auto r_ = (expr);                                                                          \
        if (!r_)                                                                                   \
            qFatal("%s failed: %s", #expr, qPrintable(r_.error().toString()));                     \
        return std::move(r_).value();                                                              \
    }()
