from dasr_mm.evaluation import format_metrics_table, metrics_by_set

METRICS = {
    'AIM/RGB/PSNR': 21.6004,
    'AIM/Y/SSIM': 0.56401,
    'AIM/LPIPS(random-alex)': 0.3361,
    'photos/NIQE': 4.25,
}


def test_metrics_are_grouped_by_their_test_set_prefix():
    assert metrics_by_set(dict(METRICS, PSNR=30.0)) == {
        'AIM': {'RGB/PSNR': 21.6004, 'Y/SSIM': 0.56401,
                'LPIPS(random-alex)': 0.3361},
        'photos': {'NIQE': 4.25},
        '': {'PSNR': 30.0},
    }


def test_table_has_a_row_per_set_and_dashes_for_absent_metrics():
    lines = format_metrics_table(METRICS).splitlines()
    assert lines[0].split() == [
        'set', 'RGB/PSNR', 'Y/SSIM', 'LPIPS(random-alex)', 'NIQE']
    assert lines[1].split() == ['AIM', '21.60', '0.5640', '0.3361', '-']
    assert lines[2].split() == ['photos', '-', '-', '-', '4.2500']
    # columns are aligned
    assert lines[1].index('0.3361') == lines[0].index('LPIPS')
